//! `panic = "abort"` builds: the cleanups run from the panic hook before
//! the abort, and a cleanup that panics in such a build does not stop the
//! others.
//!
//! The fixture must be compiled with `panic = "abort"`, which cargo sets
//! per profile, not per binary; so this test builds it with the workspace's
//! `panic-abort` profile into a target directory of its own (cached after
//! the first run).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::Fixture;

/// Builds the fixture once per test process and returns its path.
fn abort_fixture() -> &'static str {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT.get_or_init(|| {
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        // Built with the same RUSTFLAGS as this test (it inherits them);
        // the portable run (`.ci/run`) keeps its own copy, so neither run
        // rebuilds the other's.
        let target = workspace.join("target").join(if common::portable() {
            "panic-abort-portable"
        } else {
            "panic-abort"
        });
        let output = Command::new(env!("CARGO"))
            .current_dir(&workspace)
            .args([
                "build",
                "--quiet",
                "--profile",
                "panic-abort",
                "-p",
                "cleanup-tests",
            ])
            .args(["--bin", "abort_fixture", "--target-dir"])
            .arg(&target)
            .output()
            .expect("run cargo");
        assert!(
            output.status.success(),
            "building the panic=abort fixture failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let exe = target.join("panic-abort").join("abort_fixture");
        exe.to_str().expect("a UTF-8 path").to_owned()
    })
}

fn abort_fixture_run(scenario: &str) -> common::Run {
    let run = Fixture::new(abort_fixture(), &[scenario])
        .json_report()
        .run();
    assert_eq!(run.count("panic=abort build: true"), 1, "{}", run.context());
    run
}

#[test]
fn a_panic_in_main_runs_the_cleanups_then_aborts() {
    let run = abort_fixture_run("main-panics");
    run.assert_signal(libc::SIGABRT);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "panic", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGABRT, "{}", run.context());
    assert!(
        run.stderr.contains("main panics"),
        "the panic message first\n{}",
        run.context()
    );
}

#[test]
fn a_panic_on_another_thread_runs_the_cleanups_then_aborts() {
    let run = abort_fixture_run("thread-panics");
    run.assert_signal(libc::SIGABRT);
    assert_eq!(run.ran(), ["runtime", "static"], "{}", run.context());
    assert_eq!(run.count("never reached: the panic aborted the process"), 0);
}

#[test]
fn a_cleanup_that_panics_does_not_stop_the_others_or_change_the_status() {
    let run = abort_fixture_run("cleanup-panics");
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["last-registered", "runtime", "static"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    let panicked = &report["entries"][1];
    assert_eq!(panicked["status"], "panic", "{}", run.context());
    assert_eq!(panicked["error"], "a cleanup panics", "{}", run.context());
}

/// std holds its panic hook's lock while a hook runs; the cleanups that run
/// after the panic must not run under it.
#[test]
fn a_cleanup_can_replace_the_panic_hook_after_main_panicked() {
    let run = abort_fixture_run("main-panics-hook-touched");
    run.assert_signal(libc::SIGABRT);
    assert_eq!(
        run.ran(),
        ["touches-hook", "runtime", "static"],
        "{}",
        run.context()
    );
}

#[test]
fn a_cleanup_with_a_timeout_that_panics_does_not_stop_the_others() {
    let run = abort_fixture_run("timed-cleanup-panics");
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["timed", "runtime", "static"],
        "{}",
        run.context()
    );
    let report = run.report();
    let timed = &report["entries"][0];
    assert_eq!(timed["status"], "panic", "{}", run.context());
    assert_eq!(
        timed["error"],
        "a timed cleanup panics",
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        common::reported_status(0),
        "{}",
        run.context()
    );
}

/// The panicking thread waits for the run at exit to end, then the process
/// ends by the abort.
#[test]
fn another_thread_panicking_during_the_run_waits_for_it_then_aborts() {
    let run = abort_fixture_run("thread-panics-during-run");
    run.assert_signal(libc::SIGABRT);
    assert_eq!(
        run.ran(),
        ["saw-the-panic", "runtime", "static"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "panic", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGABRT, "{}", run.context());
    assert!(report["status"].is_null(), "{}", run.context());
}

/// A cleanup abandoned at its timeout is no longer part of the run: its
/// panic ends neither the run nor the process.
#[test]
fn a_cleanup_abandoned_at_its_timeout_that_panics_changes_nothing() {
    let run = abort_fixture_run("abandoned-timed-cleanup-panics");
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["timed", "later", "runtime", "static"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        report["entries"][0]["status"],
        "timeout",
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        common::reported_status(0),
        "{}",
        run.context()
    );
}

/// A panic in an async cleanup happens on the runtime thread of async
/// cleanups, not the runner's: it ends that cleanup (`panic`) as a sync
/// cleanup's would, and the rest run, a later async one on a fresh runtime
/// thread. The deadline only keeps a run that waits for the panicked
/// cleanup from taking the hang guard's time.
#[test]
fn an_async_cleanup_that_panics_does_not_stop_the_others_or_change_the_status() {
    assert_async_cleanup_panic_ends_only_that_cleanup("async-cleanup-panics");
}

/// The same with a timeout: the cleanup's waiter is then the timed
/// cleanup's helper thread, whose panic ends only that cleanup.
#[test]
fn a_timed_async_cleanup_that_panics_does_not_stop_the_others() {
    assert_async_cleanup_panic_ends_only_that_cleanup("timed-async-cleanup-panics");
}

fn assert_async_cleanup_panic_ends_only_that_cleanup(scenario: &str) {
    let run = Fixture::new(abort_fixture(), &[scenario])
        .json_report()
        .env("CLEANUP_DEADLINE", "30s")
        .run();
    assert_eq!(run.count("panic=abort build: true"), 1, "{}", run.context());
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        [
            "last-registered",
            "async-panics",
            "later-async",
            "runtime",
            "static"
        ],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    let panicked = &report["entries"][1];
    assert_eq!(panicked["status"], "panic", "{}", run.context());
    assert_eq!(
        panicked["error"],
        "an async cleanup panics",
        "{}",
        run.context()
    );
    assert_eq!(report["entries"][2]["status"], "ok", "{}", run.context());
    assert_eq!(
        report["status"],
        common::reported_status(0),
        "{}",
        run.context()
    );
}
