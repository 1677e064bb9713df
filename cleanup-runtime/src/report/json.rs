//! A report's JSON form (`Report::to_json`, `CLEANUP_REPORT=json`): the
//! fields and names the crate docs list, written field by field.
//!
//! Written here by hand rather than by `serde_json`, which cannot serve
//! within the crate's build budget. Measured on a hello program with one
//! `#[at_exit]` and `default-features = false` (cold debug build, 2 cores):
//! the build compiled 14 crates in 8.0 s, 12.5 s of CPU, and the JSON
//! report's five crates (`serde_core` 2.0 s, `serde_json` 1.2 s, `memchr`
//! 0.6 s, `zmij` 0.25 s, `itoa` 0.12 s, plus three build scripts) were
//! 4.7 s of it. On 2 cores they also held `cleanup-macros`, which is on
//! the critical path, back by 1.8 s waiting for a job slot: +7.7 s over
//! hello, where the aim is +5 s. The form itself is small (strings,
//! integers, `null`, three lists), so this file is the whole of it;
//! feature `serde` brings `Serialize` on the public types back
//! (`serialize`), with the same fields.
//!
//! The bytes are the ones `serde_json` wrote: no spaces, fields in the
//! documented order, `null` for a missing value, integers in decimal, and
//! strings escaped as `serde_json` escapes them: `\"`, `\\`, `\n`, `\r`,
//! `\t`, `\b`, `\f`, every other control character below U+0020 as
//! `\u00XX` in lowercase hex, and everything else (`/`, DEL, non-ASCII,
//! U+2028) as it is. The unit tests compare every byte with `serde_json`'s.
//!
//! Small in the binary too, since every program with a cleanup links it.
//! Each writer is a function of its own (`#[inline(never)]`): inlined, each
//! of the thirty-odd pushes was a copy of `String`'s growth code and the
//! lists' first items were peeled out of their loops, 7.9 KB in all where
//! this is 2.9 KB. Numbers go through `fmt`, whose integer code programs
//! link anyway; a digits writer here was 1.4 KB more. A stripped release
//! hello with one `#[at_exit]`: 548,112 bytes through `serde_json`,
//! 536,360 with this file (a plain hello is 343,408).

#[cfg(feature = "serde")]
mod serialize;

use super::{EntryReport, PendingEntry, Report};
use crate::base::entry::Origin;

/// The report as one line of JSON.
pub(super) fn to_string(report: &Report) -> String {
    let mut out = String::with_capacity(128);
    push(&mut out, "{\"trigger\":");
    push_string(&mut out, report.trigger.as_str());
    push(&mut out, ",\"status\":");
    push_optional(&mut out, report.status);
    push(&mut out, ",\"signal\":");
    push_optional(&mut out, report.signal);
    push(&mut out, ",\"shutdown_signal\":");
    push_optional(&mut out, report.shutdown_signal);
    push(&mut out, ",\"warnings\":[");
    for (i, warning) in report.warnings.iter().enumerate() {
        push_comma(&mut out, i);
        // A warning is its line, as the text form prints it.
        push_string(&mut out, &warning.to_string());
    }
    push(&mut out, "],\"entries\":[");
    for (i, entry) in report.entries.iter().enumerate() {
        push_comma(&mut out, i);
        push_entry(&mut out, entry);
    }
    push(&mut out, "],\"pending\":[");
    for (i, pending) in report.pending.iter().enumerate() {
        push_comma(&mut out, i);
        push_pending(&mut out, pending);
    }
    push(&mut out, "]}");
    out
}

/// `{"name", "sequence", "source", "status", "error", "duration_ns"}`.
#[inline(never)]
fn push_entry(out: &mut String, entry: &EntryReport) {
    push(out, "{\"name\":");
    push_string(out, entry.name());
    push(out, ",\"sequence\":");
    push_u64(out, entry.sequence);
    push(out, ",\"source\":");
    push_source(out, &entry.origin);
    push(out, ",\"status\":");
    push_string(out, entry.status().as_str());
    push(out, ",\"error\":");
    match entry.error() {
        Some(error) => push_string(out, error),
        None => push(out, "null"),
    }
    push(out, ",\"duration_ns\":");
    push_u64(out, entry.nanos);
    push(out, "}");
}

/// `{"name", "sequence", "source"}`.
#[inline(never)]
fn push_pending(out: &mut String, pending: &PendingEntry) {
    push(out, "{\"name\":");
    push_string(out, pending.name());
    push(out, ",\"sequence\":");
    push_u64(out, pending.sequence);
    push(out, ",\"source\":");
    push_source(out, &pending.origin);
    push(out, "}");
}

/// The separator before every item of a list but the first.
fn push_comma(out: &mut String, index: usize) {
    if index > 0 {
        push(out, ",");
    }
}

/// `"file:line"`, written straight from the origin (no `String` for it).
fn push_source(out: &mut String, origin: &Origin) {
    push(out, "\"");
    push_escaped(out, origin.file());
    push(out, ":");
    push_u64(out, u64::from(origin.line()));
    push(out, "\"");
}

/// An `i32` (a status or a signal number) in decimal, or `null`.
#[inline(never)]
fn push_optional(out: &mut String, value: Option<i32>) {
    use std::fmt::Write;
    match value {
        Some(value) => {
            let _ = write!(out, "{value}");
        }
        None => push(out, "null"),
    }
}

/// `value` in decimal, as `serde_json` writes it.
#[inline(never)]
fn push_u64(out: &mut String, value: u64) {
    use std::fmt::Write;
    let _ = write!(out, "{value}");
}

/// `text` as it is: every push of the file goes through here, so that
/// `String`'s growth code is in the binary once.
#[inline(never)]
fn push(out: &mut String, text: &str) {
    out.push_str(text);
}

/// `value` quoted and escaped.
#[inline(never)]
fn push_string(out: &mut String, value: &str) {
    push(out, "\"");
    push_escaped(out, value);
    push(out, "\"");
}

/// `value` escaped for the inside of a JSON string. Every byte escaped is
/// ASCII, so the runs copied between them start and end on character
/// boundaries.
fn push_escaped(out: &mut String, value: &str) {
    let mut copied = 0;
    for (at, byte) in value.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            // The other control characters: `\u00XX` below.
            0x00..=0x1f => "",
            _ => continue,
        };
        push(out, &value[copied..at]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let high = HEX[usize::from(byte >> 4)];
            let low = HEX[usize::from(byte & 0x0f)];
            let code = [b'\\', b'u', b'0', b'0', high, low];
            push(out, std::str::from_utf8(&code).unwrap_or_default());
        } else {
            push(out, escape);
        }
        copied = at + 1;
    }
    push(out, &value[copied..]);
}

#[cfg(test)]
mod tests {
    use std::panic::Location;
    use std::sync::Arc;

    use serde_json::Value;

    use super::to_string;
    use crate::base::descriptor::StaticCleanup;
    use crate::base::entry::{Label, Origin};
    use crate::report::{EntryReport, EntryStatus, PendingEntry, Report, Trigger, Warning};

    /// Every control character, each alone and all in one string; the
    /// characters JSON escapes by name; those it leaves as they are (`/`,
    /// DEL, multi-byte UTF-8, the line and paragraph separators); and
    /// escapes between plain runs.
    fn awkward_strings() -> Vec<String> {
        let mut strings: Vec<String> = (0u8..0x20).map(|c| char::from(c).to_string()).collect();
        strings.push((0u8..0x20).map(char::from).collect());
        strings.extend(
            [
                "",
                "plain",
                "\"",
                "\\",
                "/",
                "\u{7f}",
                "é",
                "日本語",
                "🦀",
                "\u{2028}\u{2029}",
                "\u{fffd}",
                "a \"quoted\" name\\with/slash\nand\ttabs\u{1}\u{1f}é\u{2028}🦀",
                "\"\"\\\\\n\n",
                "C:\\Users\\app\\src\\main.rs",
            ]
            .map(String::from),
        );
        strings
    }

    /// `name`, as `register_named` labels it.
    fn named(name: &str) -> Origin {
        Origin::Registered {
            caller: Location::caller(),
            label: Label::Named(Arc::from(name)),
        }
    }

    /// A declared cleanup whose `file` is `file`: a source to escape.
    fn declared_in(file: &str, line: u32) -> Origin {
        Origin::Static(Box::leak(Box::new(StaticCleanup {
            name: "app::declared",
            named: false,
            run: || Ok(()),
            module_path: "app",
            in_program: true,
            file: Box::leak(file.into()),
            line,
            column: 1,
            timeout: None,
            after: &[],
            before: &[],
            ordering: None,
            name_guard: None,
        })))
    }

    fn entry(
        sequence: u64,
        origin: Origin,
        failure: Option<(EntryStatus, &str)>,
        nanos: u64,
    ) -> EntryReport {
        EntryReport {
            sequence,
            origin,
            failure: failure.map(|(status, message)| Box::new((status, message.to_owned()))),
            nanos,
        }
    }

    fn report(status: Option<i32>, signal: Option<i32>, shutdown_signal: Option<i32>) -> Report {
        Report {
            trigger: Trigger::Exit,
            status,
            signal,
            shutdown_signal,
            warnings: Vec::new(),
            entries: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Reports that between them hold every awkward string in every string
    /// field, `None` and `Some` of each optional, the extreme numbers,
    /// every trigger and status, and empty, single and longer lists.
    fn reports() -> Vec<Report> {
        let mut reports = Vec::new();
        for trigger in [
            Trigger::Exit,
            Trigger::Signal,
            Trigger::Panic,
            Trigger::Manual,
        ] {
            reports.push(Report {
                trigger,
                ..report(None, None, None)
            });
        }
        for value in [
            Some(0),
            Some(1),
            Some(-1),
            Some(143),
            Some(i32::MIN),
            Some(i32::MAX),
            None,
        ] {
            reports.push(report(value, None, None));
            reports.push(report(None, value, None));
            reports.push(report(None, None, value));
        }
        for text in awkward_strings() {
            let mut one = report(Some(0), Some(15), Some(2));
            one.warnings.push(Warning::OutsideSandbox {
                detail: text.clone(),
            });
            one.entries.push(entry(
                7,
                named(&text),
                Some((EntryStatus::Error, &text)),
                12,
            ));
            one.entries.push(entry(8, declared_in(&text, 42), None, 0));
            one.pending.push(PendingEntry::new(9, named(&text)));
            one.pending
                .push(PendingEntry::new(10, declared_in(&text, 1)));
            reports.push(one);
        }
        let mut several = report(Some(-2), Some(9), None);
        several.warnings = vec![
            Warning::Cycle {
                members: vec!["a".into(), "b \"c\"".into()],
            },
            Warning::ManualRunCutOff,
            Warning::ReplacedAcrossCrates {
                name: "db".into(),
                replaced: "lib/src/lib.rs:3".into(),
                by: "src/main.rs:9".into(),
            },
        ];
        let statuses = [
            EntryStatus::Ok,
            EntryStatus::Error,
            EntryStatus::Panic,
            EntryStatus::Timeout,
            EntryStatus::Skipped,
        ];
        for (i, status) in (0..).zip(statuses) {
            let failure = status.is_failure().then_some((status, "went wrong"));
            several
                .entries
                .push(entry(u64::MAX - i, named("x"), failure, u64::MAX - i));
        }
        several
            .entries
            .push(entry(0, declared_in("src/main.rs", u32::MAX), None, 0));
        several.pending = vec![
            PendingEntry::new(u64::MAX, named("first")),
            PendingEntry::new(0, declared_in("src/lib.rs", 0)),
            PendingEntry::new(3, named("")),
        ];
        reports.push(several);
        reports
    }

    /// The JSON form built with `serde_json` writing each value (its
    /// escaping, its numbers) in the documented order of the fields.
    fn with_serde_json(report: &Report) -> String {
        // A macro, not a function: the trait serde_json takes is not a
        // dependency of this crate without feature `serde`.
        macro_rules! by_serde_json {
            ($value:expr) => {
                serde_json::to_string($value).unwrap()
            };
        }
        fn list<T>(items: &[T], each: impl Fn(&T) -> String) -> String {
            items.iter().map(each).collect::<Vec<_>>().join(",")
        }
        let warnings = list(&report.warnings, |warning| {
            by_serde_json!(&warning.to_string())
        });
        let entries = list(&report.entries, |entry| {
            format!(
                r#"{{"name":{},"sequence":{},"source":{},"status":{},"error":{},"duration_ns":{}}}"#,
                by_serde_json!(entry.name()),
                by_serde_json!(&entry.sequence()),
                by_serde_json!(&entry.source()),
                by_serde_json!(entry.status().as_str()),
                by_serde_json!(&entry.error()),
                by_serde_json!(&entry.nanos),
            )
        });
        let pending = list(&report.pending, |pending| {
            format!(
                r#"{{"name":{},"sequence":{},"source":{}}}"#,
                by_serde_json!(pending.name()),
                by_serde_json!(&pending.sequence()),
                by_serde_json!(&pending.source()),
            )
        });
        format!(
            r#"{{"trigger":{},"status":{},"signal":{},"shutdown_signal":{},"warnings":[{warnings}],"entries":[{entries}],"pending":[{pending}]}}"#,
            by_serde_json!(report.trigger.as_str()),
            by_serde_json!(&report.status),
            by_serde_json!(&report.signal),
            by_serde_json!(&report.shutdown_signal),
        )
    }

    #[test]
    fn the_fields_in_their_documented_order() {
        let mut report = report(Some(143), Some(15), None);
        report.trigger = Trigger::Signal;
        report.warnings.push(Warning::Cycle {
            members: vec!["a \"quoted\" name".into()],
        });
        assert_eq!(
            to_string(&report),
            r#"{"trigger":"signal","status":143,"signal":15,"shutdown_signal":null,"warnings":["the ordering constraints of \"a \\\"quoted\\\" name\" form a cycle; they run last registered first"],"entries":[],"pending":[]}"#
        );
        report.entries.push(entry(
            3,
            declared_in("src/main.rs", 10),
            Some((EntryStatus::Timeout, "slow")),
            1500,
        ));
        report
            .pending
            .push(PendingEntry::new(1, declared_in("src/lib.rs", 2)));
        assert!(to_string(&report).ends_with(
            r#""entries":[{"name":"app::declared","sequence":3,"source":"src/main.rs:10","status":"timeout","error":"slow","duration_ns":1500}],"pending":[{"name":"app::declared","sequence":1,"source":"src/lib.rs:2"}]}"#
        ));
    }

    #[test]
    fn every_string_is_escaped_as_serde_json_escapes_it() {
        for text in awkward_strings() {
            let mut written = String::new();
            super::push_string(&mut written, &text);
            assert_eq!(written, serde_json::to_string(&text).unwrap(), "{text:?}");
        }
        // The escapes spelled out, so a change in serde_json shows here too.
        let mut controls = String::new();
        super::push_string(
            &mut controls,
            &(0u8..0x20).map(char::from).collect::<String>(),
        );
        assert_eq!(
            controls,
            r#""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f""#
        );
    }

    #[test]
    fn every_number_is_written_as_serde_json_writes_it() {
        for value in [
            0,
            1,
            9,
            10,
            99,
            100,
            12_345,
            u64::from(u32::MAX),
            u64::MAX - 1,
            u64::MAX,
        ] {
            let mut written = String::new();
            super::push_u64(&mut written, value);
            assert_eq!(written, serde_json::to_string(&value).unwrap());
        }
        for value in [
            Some(0),
            Some(-1),
            Some(9),
            Some(-10),
            Some(i32::MIN),
            Some(i32::MAX),
            None,
        ] {
            let mut written = String::new();
            super::push_optional(&mut written, value);
            assert_eq!(written, serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn each_report_is_the_json_serde_json_writes() {
        for report in reports() {
            assert_eq!(to_string(&report), with_serde_json(&report));
        }
    }

    #[test]
    fn each_report_reads_back_field_by_field() {
        fn optional(value: Option<i32>) -> Value {
            value.map_or(Value::Null, Value::from)
        }
        for report in reports() {
            let written = to_string(&report);
            let read: Value = serde_json::from_str(&written).unwrap();
            let keys: Vec<&str> = read
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                [
                    "entries",
                    "pending",
                    "shutdown_signal",
                    "signal",
                    "status",
                    "trigger",
                    "warnings"
                ],
                "no other key (serde_json's map sorts them)"
            );
            assert_eq!(read["trigger"], report.trigger().as_str());
            assert_eq!(read["status"], optional(report.exit_status()));
            assert_eq!(read["signal"], optional(report.signal()));
            assert_eq!(read["shutdown_signal"], optional(report.shutdown_signal()));
            let warnings: Vec<String> = report.warnings().iter().map(Warning::to_string).collect();
            assert_eq!(read["warnings"], Value::from(warnings));
            assert_eq!(
                read["entries"].as_array().unwrap().len(),
                report.entries().len()
            );
            for (read, entry) in read["entries"]
                .as_array()
                .unwrap()
                .iter()
                .zip(report.entries())
            {
                assert_eq!(read.as_object().unwrap().len(), 6);
                assert_eq!(read["name"], entry.name());
                assert_eq!(read["sequence"], entry.sequence());
                assert_eq!(read["source"], entry.source());
                assert_eq!(read["status"], entry.status().as_str());
                assert_eq!(
                    read["error"],
                    entry.error().map_or(Value::Null, Value::from)
                );
                assert_eq!(read["duration_ns"], entry.nanos);
            }
            assert_eq!(
                read["pending"].as_array().unwrap().len(),
                report.pending().len()
            );
            for (read, pending) in read["pending"]
                .as_array()
                .unwrap()
                .iter()
                .zip(report.pending())
            {
                assert_eq!(read.as_object().unwrap().len(), 3);
                assert_eq!(read["name"], pending.name());
                assert_eq!(read["sequence"], pending.sequence());
                assert_eq!(read["source"], pending.source());
            }
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn feature_serde_gives_the_same_json() {
        for report in reports() {
            assert_eq!(serde_json::to_string(&report).unwrap(), to_string(&report));
        }
        assert_eq!(
            serde_json::to_string(&EntryStatus::Timeout).unwrap(),
            r#""timeout""#
        );
        assert_eq!(
            serde_json::to_string(&Trigger::Panic).unwrap(),
            r#""panic""#
        );
        assert_eq!(
            serde_json::to_string(&Warning::ManualRunCutOff).unwrap(),
            serde_json::to_string(&Warning::ManualRunCutOff.to_string()).unwrap()
        );
    }
}
