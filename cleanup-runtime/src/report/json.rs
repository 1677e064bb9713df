//! A report's JSON form (`Report::to_json`, `CLEANUP_REPORT=json`): the
//! fields and names the crate docs list, written field by field.
//!
//! `serde_json` writes it (escaping, numbers), through `serde_core`'s
//! `Serialize`: the trait without serde's derive macros, so the JSON costs
//! no proc-macro crate and no `syn` in a user's build. The impls
//! are on a private wrapper, [`Json`], so that `serde` is not part of the
//! public API; feature `serde` adds `Serialize` on the public types,
//! giving the same fields.

use serde_core::ser::{Serialize, SerializeStruct, Serializer};

use super::{EntryReport, PendingEntry, Report, Warning};
#[cfg(feature = "serde")]
use super::{EntryStatus, Trigger};

/// The report as one line of JSON.
pub(super) fn to_string(report: &Report) -> String {
    // Serializing plain strings and numbers into a String cannot fail.
    serde_json::to_string(&Json(report)).unwrap_or_default()
}

/// A report, or a part of one, in its JSON form.
struct Json<'a, T>(&'a T);

impl Serialize for Json<'_, Report> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let mut out = serializer.serialize_struct("Report", 7)?;
        out.serialize_field("trigger", report.trigger.as_str())?;
        out.serialize_field("status", &report.status)?;
        out.serialize_field("signal", &report.signal)?;
        out.serialize_field("shutdown_signal", &report.shutdown_signal)?;
        out.serialize_field("warnings", &Each(&report.warnings))?;
        out.serialize_field("entries", &Each(&report.entries))?;
        out.serialize_field("pending", &Each(&report.pending))?;
        out.end()
    }
}

impl Serialize for Json<'_, EntryReport> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = self.0;
        let mut out = serializer.serialize_struct("Entry", 6)?;
        out.serialize_field("name", &entry.name())?;
        out.serialize_field("sequence", &entry.sequence)?;
        out.serialize_field("source", &entry.source())?;
        out.serialize_field("status", entry.status().as_str())?;
        out.serialize_field("error", &entry.error())?;
        out.serialize_field("duration_ns", &entry.nanos)?;
        out.end()
    }
}

impl Serialize for Json<'_, PendingEntry> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entry = self.0;
        let mut out = serializer.serialize_struct("Pending", 3)?;
        out.serialize_field("name", &entry.name())?;
        out.serialize_field("sequence", &entry.sequence)?;
        out.serialize_field("source", &entry.source())?;
        out.end()
    }
}

/// A list of entries, each in its JSON form.
struct Each<'a, T>(&'a [T]);

impl<'a, T> Serialize for Each<'a, T>
where
    Json<'a, T>: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Json))
    }
}

// Feature `serde`: the same forms on the public types.

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Json(self).serialize(serializer)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for EntryReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Json(self).serialize(serializer)
    }
}

#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for PendingEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Json(self).serialize(serializer)
    }
}

/// A warning is its line, as the text form prints it.
impl Serialize for Json<'_, Warning> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// Its line, as in the JSON form.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Json(self).serialize(serializer)
    }
}

/// The lowercase name, as in the JSON form.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for Trigger {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The lowercase name, as in the JSON form.
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl Serialize for EntryStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Trigger;

    fn sample() -> Report {
        Report {
            trigger: Trigger::Signal,
            status: Some(143),
            signal: Some(15),
            shutdown_signal: None,
            warnings: vec![Warning::Cycle {
                members: vec!["a \"quoted\" name".into()],
            }],
            entries: Vec::new(),
            pending: Vec::new(),
        }
    }

    #[test]
    fn the_fields_in_their_documented_order() {
        assert_eq!(
            to_string(&sample()),
            r#"{"trigger":"signal","status":143,"signal":15,"shutdown_signal":null,"warnings":["the ordering constraints of \"a \\\"quoted\\\" name\" form a cycle; they run last registered first"],"entries":[],"pending":[]}"#
        );
    }

    #[cfg(feature = "serde")]
    #[test]
    fn feature_serde_gives_the_same_json() {
        let report = sample();
        assert_eq!(serde_json::to_string(&report).unwrap(), to_string(&report));
        assert_eq!(
            serde_json::to_string(&EntryStatus::Timeout).unwrap(),
            r#""timeout""#
        );
    }
}
