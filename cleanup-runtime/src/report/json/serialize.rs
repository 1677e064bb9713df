//! Feature `serde`: `Serialize` on the public report types, with the JSON
//! form's fields in its order, so that `serde_json::to_string(&report)`
//! gives the bytes of [`Report::to_json`] (the parent's tests check it).
//! The crate's own JSON does not go through these impls.

use serde_core::ser::{Serialize, SerializeStruct, Serializer};

use crate::report::{EntryReport, EntryStatus, PendingEntry, Report, Trigger, Warning};

/// The fields of [`Report::to_json`], in its order.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Report", 7)?;
        out.serialize_field("trigger", &self.trigger)?;
        out.serialize_field("status", &self.status)?;
        out.serialize_field("signal", &self.signal)?;
        out.serialize_field("shutdown_signal", &self.shutdown_signal)?;
        out.serialize_field("warnings", &self.warnings)?;
        out.serialize_field("entries", &self.entries)?;
        out.serialize_field("pending", &self.pending)?;
        out.end()
    }
}

/// An entry of [`Report::to_json`]'s `entries`.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for EntryReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Entry", 6)?;
        out.serialize_field("name", self.name())?;
        out.serialize_field("sequence", &self.sequence)?;
        out.serialize_field("source", &self.source())?;
        out.serialize_field("status", &self.status())?;
        out.serialize_field("error", &self.error())?;
        out.serialize_field("duration_ns", &self.nanos)?;
        out.end()
    }
}

/// An entry of [`Report::to_json`]'s `pending`.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for PendingEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("Pending", 3)?;
        out.serialize_field("name", self.name())?;
        out.serialize_field("sequence", &self.sequence)?;
        out.serialize_field("source", &self.source())?;
        out.end()
    }
}

/// Its line, as in the JSON form.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The lowercase name, as in the JSON form.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Trigger {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The lowercase name, as in the JSON form.
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for EntryStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
