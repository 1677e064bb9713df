//! The signal thread inside the program's sandbox: a cleanup never runs
//! outside a seccomp filter the program put on its main thread; with
//! `signals::pause()` the signal thread shares it; a pause leaves the
//! process single-threaded (`unshare(CLONE_NEWUSER)`), keeps a signal for
//! later, nests, and works from any thread. Fixture: `src/bin/sandbox.rs`.

mod common;

use common::{Fixture, entry, names};

const SANDBOX: &str = env!("CARGO_BIN_EXE_sandbox");

fn sandbox(args: &[&str]) -> Fixture {
    Fixture::new(SANDBOX, args)
        .default_signal_dispositions()
        .json_report()
}

/// Runs `scenario` with a file for the cleanup `remove` to try to delete,
/// sends SIGTERM once it is ready; the run, and whether the file is still
/// there.
fn with_victim(scenario: &str) -> (common::Run, bool) {
    let directory = tempfile::tempdir().expect("a temporary directory");
    let file = directory.path().join("victim");
    std::fs::write(&file, "keep me").expect("write the victim");
    let run = sandbox(&[scenario, file.to_str().expect("UTF-8")]).run_signalled(libc::SIGTERM);
    (run, file.exists())
}

#[test]
fn a_cleanup_never_runs_outside_a_seccomp_filter_on_the_main_thread() {
    let (run, survived) = with_victim("seccomp");
    run.assert_signal(libc::SIGTERM);
    if cfg!(cleanup_runtime_portable) {
        // The other Unixes have no per-thread restrictions /proc shows.
        eprintln!("skipped on the portable path: no /proc comparison there");
        return;
    }
    assert!(survived, "the filter was escaped\n{}", run.context());
    assert!(!run.out().contains("removed"), "{}", run.context());
    assert!(
        run.stderr.contains("no cleanup ran on the signal")
            && run.stderr.contains("signals::pause"),
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["signal"], libc::SIGTERM);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("seccomp"), "{}", run.context());
    assert_eq!(entry(&report, "remove")["status"], "skipped");
    assert_eq!(entry(&report, "a")["status"], "skipped");
}

#[test]
fn inside_a_pause_the_signal_thread_shares_the_filter() {
    let (run, survived) = with_victim("seccomp-paused");
    run.assert_signal(libc::SIGTERM);
    assert!(run.out().contains("threads 1"), "{}", run.context());
    assert!(survived, "{}", run.context());
    assert!(run.out().contains("denied:"), "{}", run.context());
    let report = run.report();
    assert_eq!(names(&report["entries"]), ["remove", "a"]);
    assert_eq!(entry(&report, "remove")["status"], "error");
    assert_eq!(entry(&report, "a")["status"], "ok");
}

#[test]
fn unshare_needs_a_pause_and_the_cleanups_still_run_after_it() {
    let without = sandbox(&["unshare"]).run_signalled(libc::SIGTERM);
    let error = without.value_of("unshare: ").to_owned();
    let run = sandbox(&["unshare-paused"]).run_signalled(libc::SIGTERM);
    let inside = run.value_of("unshare: ").to_owned();
    if inside != "ok" {
        eprintln!("skipped: unshare(CLONE_NEWUSER) fails here even single-threaded: {inside}");
        return;
    }
    assert!(error.contains("Invalid argument"), "{}", without.context());
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["a"], "{}", run.context());
}

#[test]
fn a_signal_during_nested_pauses_is_acted_on_when_the_last_one_ends() {
    let run = sandbox(&["signal-while-paused"]).run();
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.count("alive"), 2, "{}", run.context());
    assert_eq!(run.ran(), ["a"], "{}", run.context());
}

#[test]
fn a_pause_from_another_thread_stops_the_signal_thread_and_restarts_it_there() {
    let run = sandbox(&["pause-on-a-thread"]).run();
    run.assert_signal(libc::SIGTERM);
    // The main thread and the pausing thread: no signal thread.
    assert!(run.out().contains("threads 2"), "{}", run.context());
    assert_eq!(run.ran(), ["a"], "{}", run.context());
}

/// A runtime thread for async cleanups that `run_now` started before the
/// sandbox is not the one the final run uses: its async cleanups run on a
/// fresh one, created inside the rules.
#[test]
fn an_async_cleanup_at_the_end_runs_inside_the_sandbox_too() {
    let (run, survived) = with_victim("async-seccomp");
    run.assert_signal(libc::SIGTERM);
    assert!(
        survived,
        "an async cleanup escaped the filter\n{}",
        run.context()
    );
    assert!(run.out().contains("denied:"), "{}", run.context());
}

#[test]
fn the_cleanups_of_a_signal_run_on_a_thread_named_cleanup_signal() {
    for scenario in ["thread-names", "thread-names-after-pause"] {
        let run = sandbox(&[scenario]).run_signalled(libc::SIGTERM);
        run.assert_signal(libc::SIGTERM);
        // Before the signal: `main` and the thread waiting for it.
        assert_eq!(run.count("threads 2"), 1, "{scenario}: {}", run.context());
        assert_eq!(
            run.count("on thread cleanup-signal"),
            1,
            "{scenario}: {}",
            run.context()
        );
        assert!(
            run.stderr.contains("thread 'cleanup-signal' ("),
            "{scenario}: {}",
            run.context()
        );
    }
}
