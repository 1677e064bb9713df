//! Ordering constraints (`after` / `before`): a library's named cleanup
//! ordered against the application's where LIFO alone would give the other
//! order, lists, run-time constraints, absent names, cycles, and the order
//! on every path (exit, SIGTERM, `run_now`, `report().pending()`, the
//! deadline's skipped entries, registrations during the run). The fixture
//! is `ordering` (its header lists its cleanups and their sequences).

mod common;

use common::{Fixture, Run, names};
use serde_json::Value;

const ORDERING: &str = env!("CARGO_BIN_EXE_ordering");

/// The statics in the order the constraints give. LIFO would run them
/// report-done, app-metrics, flush-orders, lib-audit, lib-pool.
const STATICS_PLANNED: [&str; 5] = [
    "app-metrics",
    "flush-orders",
    "lib-audit",
    "lib-pool",
    "report-done",
];

/// The same, as the report names them.
const STATICS_REPORTED: [&str; 5] = [
    "app-metrics",
    "flush-orders",
    "pool_lib::audit",
    "lib-pool",
    "ordering::report_done",
];

/// The warning `report_done`'s `after = "not-linked"` gets: no cleanup of
/// that name is ever registered.
const NOT_LINKED: &str = "\"ordering::report_done\" (tests/src/bin/ordering.rs:";

#[track_caller]
fn reported_then_statics(first: &[&'static str]) -> Vec<&'static str> {
    first.iter().copied().chain(STATICS_REPORTED).collect()
}

/// The run-time set, planned: rt-db (7) before rt-cache (8, after rt-db);
/// rt-writer (5, before rt-pool) before rt-pool (6).
const RUNTIME_PLANNED: [&str; 4] = ["rt-db", "rt-cache", "rt-writer", "rt-pool"];

fn ordering(scenario: &str) -> Fixture {
    Fixture::new(ORDERING, &[scenario])
}

fn with_statics(first: &[&'static str]) -> Vec<&'static str> {
    first.iter().copied().chain(STATICS_PLANNED).collect()
}

/// The report's `(name, sequence)` pairs, in run order.
fn sequences(report: &Value) -> Vec<(String, u64)> {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().expect("name").to_owned(),
                e["sequence"].as_u64().expect("sequence"),
            )
        })
        .collect()
}

#[track_caller]
fn sequence_of(run: &Run, report: &Value, name: &str) -> u64 {
    sequences(report)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no entry {name:?}\n{}", run.context()))
        .1
}

#[test]
fn a_library_cleanup_is_ordered_against_the_application_s_against_lifo() {
    let run = ordering("statics").json_report().run();
    run.assert_code(0);
    assert_eq!(run.ran(), STATICS_PLANNED, "{}", run.context());
    let report = run.report();
    // What LIFO alone would do: the program's statics have the higher
    // sequence numbers (a library's are numbered first, whatever the
    // module paths), so report-done would run first, before lib-pool.
    let pool = sequence_of(&run, &report, "lib-pool");
    let flush = sequence_of(&run, &report, "flush-orders");
    let audit = sequence_of(&run, &report, "pool_lib::audit");
    let metrics = sequence_of(&run, &report, "app-metrics");
    let done = sequence_of(&run, &report, "ordering::report_done");
    assert_eq!(
        [pool, audit, flush, metrics, done],
        [0, 1, 2, 3, 4],
        "the library's statics first, then the program's\n{}",
        run.context()
    );
    // The one warning: "not-linked" names no cleanup of this process.
    let warnings = report["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{}", run.context());
    let warning = warnings[0].as_str().expect("a string");
    assert!(
        warning.starts_with(NOT_LINKED)
            && warning.contains("is to run after \"not-linked\", but no cleanup of that name"),
        "{}",
        run.context()
    );
    let lines: Vec<&str> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.starts_with("cleanup:"))
        .collect();
    assert_eq!(lines, [format!("cleanup: {warning}")], "{}", run.context());
}

#[test]
fn a_name_that_left_is_not_warned_about() {
    let run = ordering("gone").json_report().run();
    run.assert_code(0);
    assert_eq!(run.ran_after("main returns"), ["late"], "{}", run.context());
    let report = run.report();
    assert_eq!(
        report["warnings"],
        serde_json::json!([]),
        "gone-db (unregistered) and ran-db (run by run_now) were registered\n{}",
        run.context()
    );
    let lines: Vec<&str> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.starts_with("cleanup:"))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "only run_now's not-linked\n{}",
        run.context()
    );
    assert!(lines[0].contains("\"not-linked\""), "{}", run.context());
}

#[test]
fn run_time_after_and_before_hold_and_absent_names_are_ignored() {
    let run = ordering("runtime").json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        with_statics(&RUNTIME_PLANNED),
        "{}",
        run.context()
    );
    assert_eq!(
        names(&run.report()["entries"]),
        reported_then_statics(&RUNTIME_PLANNED),
        "{}",
        run.context()
    );
}

#[test]
fn a_cycle_runs_each_member_once_lifo_with_one_warning() {
    let run = ordering("cycle").json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        with_statics(&["cyc-c", "cyc-b", "cyc-a"]),
        "{}",
        run.context()
    );
    let lines: Vec<&str> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.contains("cycle"))
        .collect();
    assert_eq!(
        lines,
        [
            "cleanup: the ordering constraints of \"cyc-c\", \"cyc-b\", \"cyc-a\" form a cycle; \
          they run last registered first"
        ],
        "{}",
        run.context()
    );
    let report = run.report();
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|warning| warning.as_str())
        .filter(|warning| !warning.starts_with(NOT_LINKED))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.context());
    assert!(
        warnings[0].contains("\"cyc-c\", \"cyc-b\", \"cyc-a\""),
        "{}",
        run.context()
    );

    let text = ordering("cycle").report_file("text").run();
    text.assert_code(0);
    assert!(
        text.report_text()
            .lines()
            .any(|line| line.starts_with("  warning: the ordering constraints of \"cyc-c\"")),
        "the text report lists the warning\n{}",
        text.context()
    );
}

#[test]
fn sigterm_keeps_the_order() {
    let mut child = ordering("signal")
        .default_signal_dispositions()
        .json_report()
        .start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_signal(libc::SIGTERM);
    assert_eq!(
        run.ran(),
        with_statics(&RUNTIME_PLANNED),
        "{}",
        run.context()
    );
    assert_eq!(run.report()["trigger"], "signal", "{}", run.context());
}

#[test]
fn run_now_and_pending_follow_the_planned_order() {
    let run = ordering("run-now").json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.value_of("pending ").split(' ').collect::<Vec<_>>(),
        reported_then_statics(&RUNTIME_PLANNED),
        "report().pending() lists the planned order\n{}",
        run.context()
    );
    let manual = run.json_of("report ");
    assert_eq!(manual["trigger"], "manual", "{}", run.context());
    assert_eq!(
        run.ran(),
        with_statics(&RUNTIME_PLANNED),
        "run_now ran them all, in the planned order\n{}",
        run.context()
    );
    assert_eq!(
        names(&manual["entries"])[..4],
        ["rt-db", "rt-cache", "rt-writer", "rt-pool"],
        "{}",
        run.context()
    );
    assert!(
        run.ran_after("main returns").is_empty(),
        "nothing left for the exit
{}",
        run.context()
    );
}

#[test]
fn cleanups_registered_during_the_run_are_ordered_too() {
    let run = ordering("during-run").json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        [
            "spawner",
            "late-db",
            "late-cache",
            "app-metrics",
            "flush-orders",
            "lib-audit",
            "lib-pool",
            "late-audit",
            "report-done"
        ],
        "late-cache waits for late-db; late-audit, the highest, for lib-pool\n{}",
        run.context()
    );
}

#[test]
fn the_deadline_skips_the_rest_in_the_planned_order() {
    let run = ordering("deadline")
        .env("CLEANUP_DEADLINE", "300ms")
        .json_report()
        .run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["hung"], "{}", run.context());
    let report = run.report();
    let entries = report["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["status"], "timeout", "{}", run.context());
    assert!(
        entries[1..].iter().all(|e| e["status"] == "skipped"),
        "{}",
        run.context()
    );
    assert_eq!(
        names(&report["entries"])[1..],
        reported_then_statics(&RUNTIME_PLANNED),
        "{}",
        run.context()
    );
}
