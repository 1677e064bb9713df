//! A report's JSON form (`Report::to_json`, `CLEANUP_REPORT=json`): the
//! fields and names the crate docs list, written field by field.

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::{EntryReport, PendingEntry, Report};

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut report = serializer.serialize_struct("Report", 7)?;
        report.serialize_field("trigger", &self.trigger)?;
        report.serialize_field("status", &self.status)?;
        report.serialize_field("signal", &self.signal)?;
        report.serialize_field("shutdown_signal", &self.shutdown_signal)?;
        report.serialize_field("warnings", &self.warnings)?;
        report.serialize_field("entries", &self.entries)?;
        report.serialize_field("pending", &self.pending)?;
        report.end()
    }
}

impl Serialize for EntryReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entry = serializer.serialize_struct("Entry", 6)?;
        entry.serialize_field("name", &self.name())?;
        entry.serialize_field("sequence", &self.sequence)?;
        entry.serialize_field("source", &self.source())?;
        entry.serialize_field("status", &self.status())?;
        entry.serialize_field("error", &self.error())?;
        entry.serialize_field("duration_ns", &self.nanos)?;
        entry.end()
    }
}

impl Serialize for PendingEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entry = serializer.serialize_struct("Pending", 3)?;
        entry.serialize_field("name", &self.name())?;
        entry.serialize_field("sequence", &self.sequence)?;
        entry.serialize_field("source", &self.source())?;
        entry.end()
    }
}
