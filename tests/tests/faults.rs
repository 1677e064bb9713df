//! Cleanups that misbehave: panic, return `Err`, call `std::process::exit`
//! or `cleanup_runtime::exit`, register more cleanups while the run is on,
//! or write to a stdout nobody reads. None of it may stop the other
//! cleanups, run one twice, abort the process, or (except
//! `cleanup_runtime::exit`) change the exit status.

mod common;

use common::{Fixture, entry};

const FAULTS_RUN_ORDER: [&str; 4] = ["ok-last", "panic-cleanup", "err-cleanup", "ok-first"];

/// Checks a `faults` run: every cleanup ran once, in order, the status is
/// `code`, and the unset `CLEANUP_REPORT` put one line per failure (and
/// nothing about the successes) on stderr.
#[track_caller]
fn assert_faults_isolated(args: &[&str], code: i32) {
    let run = Fixture::scenario(args).run();
    run.assert_code(code);
    assert_eq!(run.ran(), FAULTS_RUN_ORDER, "{}", run.context());
    let lines = run.stderr_lines();
    let failing: Vec<_> = lines.iter().filter(|l| l.contains("err-cleanup")).collect();
    assert_eq!(
        failing.len(),
        1,
        "one stderr line for the Err\n{}",
        run.context()
    );
    assert!(failing[0].contains("disk full"), "{}", run.context());
    let panicking: Vec<_> = lines
        .iter()
        .filter(|l| l.contains("panic-cleanup"))
        .collect();
    assert_eq!(
        panicking.len(),
        1,
        "one stderr line for the panic\n{}",
        run.context()
    );
    assert!(panicking[0].contains("kaboom"), "{}", run.context());
    assert!(
        !run.stderr.contains("ok-first") && !run.stderr.contains("ok-last"),
        "successes are not reported by default\n{}",
        run.context()
    );
}

#[test]
fn a_panicking_and_a_failing_cleanup_stop_nothing_when_main_returns() {
    assert_faults_isolated(&["faults"], 0);
}

#[test]
fn a_panicking_and_a_failing_cleanup_keep_the_exit_status() {
    assert_faults_isolated(&["faults", "3"], 3);
}

#[test]
fn a_cleanup_registered_while_cleanups_run_also_runs() {
    let run = Fixture::scenario(&["register-during-run"])
        .json_report()
        .run();
    run.assert_code(0);
    let ran = run.ran();
    for name in ["outer", "inner", "first"] {
        assert_eq!(
            ran.iter().filter(|r| **r == name).count(),
            1,
            "{name} runs exactly once\n{}",
            run.context()
        );
    }
    let outer = ran.iter().position(|r| *r == "outer");
    let inner = ran.iter().position(|r| *r == "inner");
    assert!(outer < inner, "{}", run.context());
    assert_eq!(
        run.report()["entries"].as_array().map(Vec::len),
        Some(3),
        "{}",
        run.context()
    );
}

#[test]
fn std_process_exit_inside_a_cleanup_neither_aborts_nor_repeats_and_keeps_the_status() {
    let run = Fixture::scenario(&["std-exit-in-handler"])
        .json_report()
        .run();
    // `assert_code` also rules out SIGABRT.
    run.assert_code(common::code_when_the_runtime_ends_the_exit(6));
    assert_eq!(
        run.ran(),
        ["c", "b", "a"],
        "every cleanup runs exactly once\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        report["status"],
        common::reported_status(6),
        "{}",
        run.context()
    );
    assert_eq!(
        report["entries"].as_array().map(Vec::len),
        Some(3),
        "{}",
        run.context()
    );
}

#[test]
fn cleanup_runtime_exit_inside_a_cleanup_lets_the_rest_run_then_sets_the_status() {
    let run = Fixture::scenario(&["cr-exit-in-handler"])
        .json_report()
        .run();
    run.assert_code(42);
    assert_eq!(
        run.ran(),
        ["c", "b", "a"],
        "every cleanup runs exactly once\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        report["entries"].as_array().map(Vec::len),
        Some(3),
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        42,
        "the report gives the status the process ends with\n{}",
        run.context()
    );
}

/// The `closed-stdout` scenario with `stdout` as the fixture's stdout:
/// exits 8, and all three cleanups run, in order, whatever stdout is.
#[track_caller]
fn closed_stdout_run(stdout: impl Into<std::process::Stdio>) -> common::Run {
    let run = Fixture::scenario(&["closed-stdout"])
        .log_file()
        .json_report()
        .stdout(stdout)
        .run();
    run.assert_code(8);
    assert_eq!(
        run.ran(),
        ["quiet-last", "loud", "quiet-first"],
        "{}",
        run.context()
    );
    run
}

#[test]
fn a_cleanup_printing_to_a_pipe_without_reader_fails_alone() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let run = closed_stdout_run(writer);
    let report = run.report();
    let loud = entry(&report, "loud");
    assert_eq!(
        loud["status"],
        "panic",
        "println! to a closed pipe panics\n{}",
        run.context()
    );
    assert!(
        loud["error"]
            .as_str()
            .is_some_and(|error| error.contains("stdout")),
        "{}",
        run.context()
    );
    let statuses: Vec<_> = report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        [Some("ok"), Some("panic"), Some("ok")],
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        common::reported_status(8),
        "{}",
        run.context()
    );
}

#[test]
fn cleanups_printing_to_a_null_stdout_succeed() {
    let run = closed_stdout_run(std::process::Stdio::null());
    let report = run.report();
    assert!(
        report["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|e| e["status"] == "ok"),
        "{}",
        run.context()
    );
}

#[test]
fn a_report_to_a_stderr_without_reader_changes_nothing() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let run = Fixture::scenario(&["faults", "3"])
        .env("CLEANUP_REPORT", "json")
        .stderr(writer)
        .run();
    run.assert_code(3);
    assert_eq!(run.ran(), FAULTS_RUN_ORDER, "{}", run.context());
}
