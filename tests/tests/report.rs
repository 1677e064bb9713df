//! The report written at exit and the `CLEANUP_REPORT` variable that
//! chooses where it goes: every JSON field for a known run (the `faults`
//! scenario ended by `exit(3)`), the text form, `off`, unset, a bad value,
//! and a file that cannot be written.

mod common;

use std::collections::BTreeSet;

use common::{Fixture, Run};
use serde_json::Value;

/// The `faults` scenario's cleanups in run order, with the status and
/// error each must report.
const KNOWN: [(&str, &str, Option<&str>); 4] = [
    ("ok-last", "ok", None),
    ("panic-cleanup", "panic", Some("kaboom")),
    ("err-cleanup", "error", Some("disk full")),
    ("ok-first", "ok", None),
];

fn known_run() -> Fixture {
    Fixture::scenario(&["faults", "3"])
}

/// Checks every field of the report of a `faults 3` run.
#[track_caller]
fn assert_known_report(run: &Run, report: &Value) {
    let context = run.context();
    let keys = |value: &Value| -> BTreeSet<String> {
        value
            .as_object()
            .unwrap_or_else(|| panic!("an object: {value}\n{context}"))
            .keys()
            .cloned()
            .collect()
    };
    let expected_keys =
        |list: &[&str]| -> BTreeSet<String> { list.iter().map(|key| key.to_string()).collect() };
    assert_eq!(
        keys(report),
        expected_keys(&[
            "trigger",
            "status",
            "signal",
            "shutdown_signal",
            "warnings",
            "entries",
            "pending"
        ]),
        "{context}"
    );
    assert_eq!(report["warnings"], serde_json::json!([]), "{context}");
    assert_eq!(report["trigger"], "exit", "{context}");
    assert_eq!(report["status"], common::reported_status(3), "{context}");
    assert!(report["signal"].is_null(), "{context}");
    assert!(report["shutdown_signal"].is_null(), "{context}");
    assert_eq!(report["pending"], serde_json::json!([]), "{context}");

    let entries = report["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), KNOWN.len(), "{context}");
    for (index, (entry, (name, status, error))) in entries.iter().zip(KNOWN).enumerate() {
        assert_eq!(
            keys(entry),
            expected_keys(&[
                "name",
                "sequence",
                "source",
                "status",
                "error",
                "duration_ns"
            ]),
            "{context}"
        );
        let (sequence, source) = run.registered(name);
        assert_eq!(entry["name"], name, "entry {index}\n{context}");
        assert_eq!(
            sequence,
            (KNOWN.len() - 1 - index) as u64,
            "run-time sequences from 0, run highest first\n{context}"
        );
        assert_eq!(entry["sequence"], sequence, "{name}\n{context}");
        assert_eq!(entry["source"], source.as_str(), "{name}\n{context}");
        assert!(
            source.starts_with("tests/src/bin/scenarios.rs:"),
            "{source}\n{context}"
        );
        assert_eq!(entry["status"], status, "{name}\n{context}");
        assert_eq!(entry["error"].as_str(), error, "{name}\n{context}");
        assert!(
            entry["duration_ns"].is_u64(),
            "{name}: duration_ns is a non-negative integer\n{context}"
        );
    }
}

/// Checks the text form of a `faults 3` report: a header naming the
/// trigger and status, then one line per entry in run order with its name,
/// status, source and error.
#[track_caller]
fn assert_known_text(run: &Run, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let mut previous = None;
    for (name, status, error) in KNOWN {
        let (_, source) = run.registered(name);
        let found = lines
            .iter()
            .position(|line| line.contains(name) && line.contains(&source))
            .unwrap_or_else(|| {
                panic!(
                    "no line names {name} at {source}\n{text}\n{}",
                    run.context()
                )
            });
        let line = lines[found];
        assert!(line.contains(status), "{line}\n{}", run.context());
        if let Some(error) = error {
            assert!(line.contains(error), "{line}\n{}", run.context());
        }
        assert!(
            previous < Some(found),
            "{name} is listed in run order\n{}",
            run.context()
        );
        previous = Some(found);
    }
    let first_entry = lines
        .iter()
        .position(|line| line.contains("ok-last"))
        .expect("ok-last is listed");
    assert!(
        lines[..first_entry]
            .iter()
            .any(|line| line.contains("exit") && line.contains(&common::reported_status_text(3))),
        "a header gives trigger and status\n{}",
        run.context()
    );
}

#[test]
fn the_json_report_file_has_every_field() {
    let run = known_run().json_report().run();
    run.assert_code(3);
    assert_known_report(&run, &run.report());
}

#[test]
fn cleanup_report_json_puts_the_whole_report_on_stderr() {
    let run = known_run().env("CLEANUP_REPORT", "json").run();
    run.assert_code(3);
    let json = run
        .stderr_lines()
        .into_iter()
        .find(|line| line.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON line on stderr\n{}", run.context()));
    let report: Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", run.context()));
    assert_known_report(&run, &report);
}

#[test]
fn cleanup_report_text_puts_the_whole_report_on_stderr() {
    let run = known_run().env("CLEANUP_REPORT", "text").run();
    run.assert_code(3);
    assert_known_text(&run, &run.stderr);
}

#[test]
fn cleanup_report_text_path_writes_the_whole_report_to_the_file_only() {
    let run = known_run().report_file("text").run();
    run.assert_code(3);
    assert_known_text(&run, run.report_text());
    assert!(
        !run.stderr.contains("disk full"),
        "the report goes to the file, not stderr\n{}",
        run.context()
    );
}

#[test]
fn cleanup_report_off_reports_nothing() {
    let run = known_run().env("CLEANUP_REPORT", "off").run();
    run.assert_code(3);
    assert_eq!(run.ran().len(), KNOWN.len(), "{}", run.context());
    for name in ["ok-first", "err-cleanup", "disk full", "ok-last"] {
        assert!(!run.stderr.contains(name), "{name}\n{}", run.context());
    }
}

#[test]
fn cleanup_report_unset_prints_nothing_when_all_succeed() {
    let run = Fixture::scenario(&["lifo"]).run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["c", "b", "a"], "{}", run.context());
    assert_eq!(run.stderr, "", "{}", run.context());
}

#[test]
fn cleanup_report_unset_prints_one_line_per_failure() {
    let run = known_run().run();
    run.assert_code(3);
    let lines = run.stderr_lines();
    for (name, _, error) in KNOWN {
        let mentions = lines.iter().filter(|line| line.contains(name)).count();
        match error {
            None => assert_eq!(mentions, 0, "{name}\n{}", run.context()),
            Some(error) => {
                assert_eq!(mentions, 1, "{name}\n{}", run.context());
                assert!(
                    lines
                        .iter()
                        .any(|line| line.contains(name) && line.contains(error)),
                    "{name}: {error}\n{}",
                    run.context()
                );
            }
        }
    }
}

#[test]
fn a_bad_cleanup_report_value_gets_one_line_and_the_default() {
    let run = known_run().env("CLEANUP_REPORT", "yaml").run();
    run.assert_code(3);
    assert_eq!(run.ran().len(), KNOWN.len(), "{}", run.context());
    let complaints = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.contains("CLEANUP_REPORT"))
        .count();
    assert_eq!(complaints, 1, "{}", run.context());
    assert!(
        run.stderr_lines()
            .iter()
            .any(|line| line.contains("err-cleanup") && line.contains("disk full")),
        "the default (failures on stderr) follows\n{}",
        run.context()
    );
    assert!(!run.stderr.contains("ok-first"), "{}", run.context());
}

#[test]
fn an_unwritable_report_path_neither_panics_nor_changes_the_status() {
    let fixture = Fixture::scenario(&["exit-main"]);
    let path = fixture.temp_path("no-such-dir/report.txt");
    let run = fixture
        .env("CLEANUP_REPORT", format!("text:{}", path.display()))
        .run();
    run.assert_code(7);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert!(!run.stderr.contains("panicked"), "{}", run.context());
    assert!(!path.exists(), "{}", run.context());
}

#[test]
fn a_process_that_never_had_a_cleanup_writes_no_report() {
    let run = Fixture::scenario(&["untouched"]).json_report().run();
    run.assert_code(0);
    assert!(
        !run.report_written(),
        "nothing was set up, nothing is written\n{}",
        run.context()
    );
}

#[test]
fn a_process_whose_cleanups_were_all_removed_still_writes_its_report() {
    let run = Fixture::scenario(&["emptied"]).json_report().run();
    run.assert_code(0);
    assert!(run.ran().is_empty(), "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert_eq!(report["entries"], Value::Array(vec![]), "{}", run.context());
}
