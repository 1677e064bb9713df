//! The end of the process never waits on a lock a cleanup or another
//! thread can hold, nor for good on a pipe nobody reads: std's stderr lock
//! (a hung cleanup holding it, a cleanup blocked on a full stderr pipe)
//! cannot keep the deadline from ending the process, nor can a report
//! stuck on a full stderr pipe at a normal exit; std's stdout lock cannot
//! hold `cleanup_runtime::exit`; the report at exit is written while
//! another thread holds stderr. Also: the deadline watchdog's report is
//! whole when the runner reaches the end of the run while it writes (on
//! the exit and the signal path); a `run_now` inside a cleanup at exit
//! keeps its entries in the exit report; `report()` keeps a bounded
//! history of manual runs.

mod common;

use common::{Fixture, entry, names};

const EXIT_LOCKS: &str = env!("CARGO_BIN_EXE_exit_locks");

fn exit_locks(scenario: &str) -> Fixture {
    Fixture::new(EXIT_LOCKS, &[scenario])
}

/// The JSON report the child wrote on stderr.
#[track_caller]
fn stderr_report(run: &common::Run) -> serde_json::Value {
    serde_json::from_str(&run.stderr)
        .unwrap_or_else(|e| panic!("stderr is not one JSON report: {e}\n{}", run.context()))
}

#[test]
fn the_deadline_ends_a_run_whose_hung_cleanup_holds_the_stderr_lock() {
    let run = exit_locks("deadline-stderr-locked")
        .env("CLEANUP_DEADLINE", "300ms")
        .env("CLEANUP_REPORT", "json")
        .run();
    run.assert_code(common::code_when_the_runtime_ends_the_exit(6));
    assert_eq!(run.count("holding stderr"), 1, "{}", run.context());
    let report = stderr_report(&run);
    assert_eq!(
        report["status"],
        common::reported_status(6),
        "{}",
        run.context()
    );
    assert_eq!(
        names(&report["entries"]),
        ["holds-stderr", "never-started"],
        "{}",
        run.context()
    );
    assert_eq!(entry(&report, "holds-stderr")["status"], "timeout");
    assert_eq!(entry(&report, "never-started")["status"], "skipped");
}

#[test]
fn the_deadline_ends_a_run_whose_cleanup_is_stuck_on_a_full_stderr_pipe() {
    // A pipe the test never reads while the child runs: the cleanup's
    // writes fill it and block with std's stderr lock held, and the
    // failure line of the default report cannot get through either.
    let (unread, stderr) = std::io::pipe().expect("a pipe");
    let run = exit_locks("deadline-stderr-full")
        .env("CLEANUP_DEADLINE", "300ms")
        .stderr(stderr)
        .run();
    drop(unread);
    run.assert_code(common::code_when_the_runtime_ends_the_exit(6));
    assert_eq!(run.count("filling stderr"), 1, "{}", run.context());
}

#[test]
fn cleanup_runtime_exit_from_a_cleanup_ends_while_another_thread_holds_stdout() {
    // Stdout is a pipe nobody reads: the child's writer thread blocks on it
    // holding std's stdout lock. The fixture's lines go to the log file.
    let (unread, stdout) = std::io::pipe().expect("a pipe");
    let run = exit_locks("exit-while-stdout-held")
        .log_file()
        .stdout(stdout)
        .json_report()
        .run();
    drop(unread);
    run.assert_code(3);
    assert_eq!(
        run.ran(),
        ["calls-exit", "after-exit-call"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["status"], 3, "{}", run.context());
    assert_eq!(
        names(&report["entries"]),
        ["calls-exit", "after-exit-call"],
        "{}",
        run.context()
    );
}

#[test]
fn the_report_at_exit_is_written_while_another_thread_holds_stderr() {
    let run = exit_locks("report-while-stderr-held")
        .env("CLEANUP_REPORT", "json")
        .run();
    run.assert_code(0);
    assert_eq!(run.count("stderr is held"), 1, "{}", run.context());
    let report = stderr_report(&run);
    assert_eq!(names(&report["entries"]), ["fails"], "{}", run.context());
    assert_eq!(entry(&report, "fails")["error"], "disk full");
}

#[test]
fn a_report_stuck_on_a_full_stderr_pipe_ends_by_the_deadline() {
    // The child's own thread fills this pipe, which the test never reads
    // while the child runs; the cleanups all end in time.
    let (unread, stderr) = std::io::pipe().expect("a pipe");
    let run = exit_locks("report-on-full-stderr")
        .env("CLEANUP_DEADLINE", "300ms")
        .stderr(stderr)
        .run();
    drop(unread);
    run.assert_code(0);
    assert_eq!(run.count("stderr is held"), 1, "{}", run.context());
}

/// The watchdog's report of the race scenarios: whole, with the waiting
/// cleanup `timeout` and every other one `skipped`.
#[track_caller]
fn assert_whole_watchdog_report(run: &common::Run) -> serde_json::Value {
    assert_eq!(
        run.count("the watchdog took the record"),
        1,
        "{}",
        run.context()
    );
    let report = stderr_report(run);
    let entries = report["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 5_001, "{}", run.context());
    assert_eq!(entries[0]["name"], "outlives-the-deadline");
    assert_eq!(entries[0]["status"], "timeout");
    assert!(
        entries[1..].iter().all(|e| e["status"] == "skipped"),
        "{}",
        run.context()
    );
    report
}

#[test]
fn the_watchdog_report_is_whole_when_the_runner_ends_the_run_meanwhile() {
    let run = exit_locks("watchdog-race")
        .env("CLEANUP_DEADLINE", "300ms")
        .env("CLEANUP_REPORT", "json")
        .run();
    run.assert_code(common::code_when_the_runtime_ends_the_exit(6));
    let report = assert_whole_watchdog_report(&run);
    assert_eq!(
        report["status"],
        common::reported_status(6),
        "{}",
        run.context()
    );
}

#[test]
fn the_watchdog_report_is_whole_when_the_runner_would_re_raise_the_signal() {
    let run = exit_locks("watchdog-race-signal")
        .env("CLEANUP_DEADLINE", "300ms")
        .env("CLEANUP_REPORT", "json")
        .default_signal_dispositions()
        .run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    let report = assert_whole_watchdog_report(&run);
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
}

#[test]
fn run_now_inside_a_cleanup_at_exit_keeps_its_entries_in_the_exit_report() {
    let run = exit_locks("nested-run-now").json_report().run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["outer", "inner"], "{}", run.context());
    assert_eq!(
        run.value_of("nested run_now ran "),
        "inner",
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    // The nested run's entries come first: they ended before the cleanup
    // that ran them.
    assert_eq!(
        names(&report["entries"]),
        ["inner", "outer"],
        "{}",
        run.context()
    );
}

#[test]
fn report_keeps_only_the_most_recent_manual_runs() {
    let run = exit_locks("history-bound").run();
    run.assert_code(0);
    // 3,000 manual runs of one cleanup each; the history keeps 1,000.
    assert_eq!(run.value_of("history "), "1000", "{}", run.context());
    assert_eq!(run.value_of("oldest "), "n2000", "{}", run.context());
    assert_eq!(run.value_of("newest "), "n2999", "{}", run.context());
}
