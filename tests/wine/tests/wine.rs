//! The runtime's Windows build, end to end, under Wine: each test spawns a
//! fixture cross-built for x86_64-pc-windows-gnu (`src/bin/`), and checks
//! its cleanups' `ran` lines, its exit status and its JSON report.
//!
//! Run by `.ci/wine-e2e`, which builds the fixtures and sets
//! `CLEANUP_WINE_EXES`; without it every test fails with a message saying
//! so. On Windows the exit hook is the C runtime's `atexit`, which does not
//! tell the exit status: the report's `status` is null unless
//! `cleanup_runtime::exit(n)` recorded it.

mod harness;

use harness::{CONTROL_C_EXIT, Fixture, entry, names, unix_path};

#[test]
fn main_returning_runs_statics_and_registrations_last_registered_first() {
    let run = Fixture::statics().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["d", "c", "static-b", "static-a"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert!(
        report["status"].is_null(),
        "atexit does not tell the status\n{}",
        run.context()
    );
    assert_eq!(
        names(&report),
        ["d", "c", "static-b", "statics::static_a"],
        "{}",
        run.context()
    );
}

#[test]
fn cleanup_runtime_exit_from_main_runs_cleanups_and_ends_with_the_code() {
    exit_with_3("cr-exit-main");
}

#[test]
fn cleanup_runtime_exit_from_another_thread_runs_cleanups_and_ends_with_the_code() {
    exit_with_3("cr-exit-thread");
}

fn exit_with_3(scenario: &str) {
    let run = Fixture::scenario(scenario).run();
    run.assert_code(3);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    // `cleanup_runtime::exit` records it before the C runtime's `exit`.
    assert_eq!(report["status"], 3, "{}", run.context());
}

/// The documented Windows gap (PORTABILITY.md, the `exit` docs):
/// `std::process::exit` is `ExitProcess`, which skips the C runtime's
/// `atexit` handlers, so no cleanup runs and no report is written. If this
/// starts failing, the runtime found a way and the docs must say so.
#[test]
fn std_process_exit_skips_the_cleanups_on_windows() {
    let run = Fixture::scenario("std-exit").run();
    run.assert_code(3);
    assert!(run.ran().is_empty(), "{}", run.context());
    assert!(!run.report_written(), "{}", run.context());
}

#[test]
fn a_cleanup_calling_cleanup_runtime_exit_ends_its_own_cleanup_and_the_rest_run() {
    let run = Fixture::scenario("exit-in-cleanup").run();
    run.assert_code(5);
    assert_eq!(run.ran(), ["b", "exiter", "a"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["status"], 5, "{}", run.context());
    assert_eq!(names(&report), ["b", "exiter", "a"], "{}", run.context());
}

/// The same gap inside the run: `std::process::exit` from a cleanup ends
/// the process on the spot, so the cleanups after it do not run and no
/// report is written (README, "What runs when", the Windows column).
#[test]
fn a_cleanup_calling_std_process_exit_ends_the_process_there_on_windows() {
    let run = Fixture::scenario("std-exit-in-cleanup").run();
    run.assert_code(4);
    assert_eq!(run.ran(), ["b", "std-exiter"], "{}", run.context());
    assert!(!run.report_written(), "{}", run.context());
}

#[test]
fn a_panic_out_of_main_runs_the_cleanups_and_exits_101() {
    let run = Fixture::scenario("panic-main").run();
    run.assert_code(101);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert!(run.stderr.contains("boom in main"), "{}", run.context());
    let report = run.report();
    // As on the other `atexit` platforms (PORTABILITY.md): the status is
    // not told, so a panic's 101 cannot be told from an `exit(101)`.
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert!(report["status"].is_null(), "{}", run.context());
}

#[test]
fn failing_and_panicking_cleanups_do_not_stop_the_others() {
    let run = Fixture::scenario("faults").run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["ok-last", "panic-cleanup", "err-cleanup", "ok-first"],
        "{}",
        run.context()
    );
    let report = run.report();
    let status_of = |name| entry(&report, name)["status"].clone();
    assert_eq!(status_of("ok-last"), "ok", "{}", run.context());
    assert_eq!(status_of("panic-cleanup"), "panic", "{}", run.context());
    assert_eq!(status_of("err-cleanup"), "error", "{}", run.context());
    assert_eq!(status_of("ok-first"), "ok", "{}", run.context());
    assert_eq!(entry(&report, "err-cleanup")["error"], "disk full");
    assert_eq!(entry(&report, "panic-cleanup")["error"], "cleanup panicked");
}

#[test]
fn a_hung_cleanup_with_a_timeout_is_abandoned_and_the_rest_run() {
    let run = Fixture::scenario("timeout").run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["last", "hung", "first"], "{}", run.context());
    let report = run.report();
    assert_eq!(
        entry(&report, "hung")["status"],
        "timeout",
        "{}",
        run.context()
    );
    assert_eq!(entry(&report, "first")["status"], "ok", "{}", run.context());
}

/// The watchdog ends the process with `_exit` and the status it was ending
/// with (3, which `cleanup_runtime::exit` recorded), after writing the
/// report: the hung cleanup `timeout`, the one after it `skipped`.
#[test]
fn the_deadline_ends_a_run_held_by_a_hung_cleanup() {
    let run = Fixture::scenario("deadline")
        .env("CLEANUP_DEADLINE", "500ms")
        .run();
    run.assert_code(3);
    assert_eq!(run.ran(), ["last", "hung"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["status"], 3, "{}", run.context());
    assert_eq!(entry(&report, "last")["status"], "ok", "{}", run.context());
    assert_eq!(
        entry(&report, "hung")["status"],
        "timeout",
        "{}",
        run.context()
    );
    assert_eq!(
        entry(&report, "first")["status"],
        "skipped",
        "{}",
        run.context()
    );
}

/// The deadline during a run that Ctrl-C started: the report is written
/// (the blocked cleanup `timeout`, the other `skipped`) and the process
/// ends as the signal would have ended it.
#[test]
fn the_deadline_ends_a_run_started_by_ctrl_c_as_the_signal_would() {
    let mut fixture = Fixture::scenario("blocked-on-signal")
        .env("CLEANUP_DEADLINE", "500ms")
        .start();
    fixture.wait_for_line("ready");
    fixture.interrupt();
    let run = fixture.finish();
    let report = run.assert_ended_by_ctrl_c();
    assert_eq!(run.ran(), ["blocker"], "{}", run.context());
    assert_eq!(
        entry(&report, "blocker")["status"],
        "timeout",
        "{}",
        run.context()
    );
    assert_eq!(
        entry(&report, "a")["status"],
        "skipped",
        "{}",
        run.context()
    );
}

/// SIGINT to the Wine process is Ctrl-C (`CTRL_C_EVENT`) for the Windows
/// one: our console control handler runs the cleanups on the thread the
/// system started for it, then ends the process as Windows' default
/// handler does, with STATUS_CONTROL_C_EXIT.
#[test]
fn ctrl_c_runs_the_cleanups_and_ends_with_status_control_c_exit() {
    let mut fixture = Fixture::scenario("wait-for-signal").start();
    fixture.wait_for_line("ready");
    fixture.interrupt();
    let run = fixture.finish();
    run.assert_ended_by_ctrl_c();
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
}

/// A second Ctrl-C while the cleanups run cuts the run short, as a second
/// signal does on Unix: the blocked cleanup is left, the rest never run.
#[test]
fn a_second_ctrl_c_during_the_run_cuts_it_short() {
    let mut fixture = Fixture::scenario("blocked-on-signal").start();
    fixture.wait_for_line("ready");
    fixture.interrupt();
    fixture.wait_for_line("ran blocker");
    fixture.interrupt();
    let run = fixture.finish();
    run.assert_code(CONTROL_C_EXIT);
    assert_eq!(run.ran(), ["blocker"], "{}", run.context());
}

#[test]
fn ctrl_c_wakes_a_listening_program_which_drains_and_returns() {
    let mut fixture = Fixture::scenario("shutdown").start();
    fixture.wait_for_line("ready");
    fixture.interrupt();
    let run = fixture.finish();
    run.assert_code(0);
    assert!(
        run.printed("woken") && run.printed("drained"),
        "{}",
        run.context()
    );
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert_eq!(report["shutdown_signal"], 2, "{}", run.context());
}

/// The grace period (60 s) outlasts the hang guard: only the second Ctrl-C
/// can end this program in time.
#[test]
fn a_second_ctrl_c_during_the_grace_period_ends_the_program() {
    let mut fixture = Fixture::scenario("shutdown-stuck")
        .env("CLEANUP_GRACE", "60s")
        .start();
    fixture.wait_for_line("ready");
    fixture.interrupt();
    fixture.wait_for_line("woken");
    fixture.interrupt();
    let run = fixture.finish();
    run.assert_ended_by_ctrl_c();
    assert!(!run.printed("drained"), "{}", run.context());
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
}

#[test]
fn temp_dirs_and_files_are_removed_at_exit() {
    let run = Fixture::scenario("temp").run();
    run.assert_code(0);
    for line in ["temp-dir", "temp-file"] {
        let path = unix_path(run.value_of(line));
        // The mapping is right (else "removed" would prove nothing).
        let parent = path.parent().expect("parent");
        assert!(
            parent.is_dir(),
            "{} is not a directory\n{}",
            parent.display(),
            run.context()
        );
        assert!(
            !path.exists(),
            "{} is still there\n{}",
            path.display(),
            run.context()
        );
    }
    let report = run.report();
    assert_eq!(
        report["entries"].as_array().map(Vec::len),
        Some(2),
        "{}",
        run.context()
    );
    for entry in report["entries"].as_array().unwrap() {
        assert_eq!(entry["status"], "ok", "{}", run.context());
    }
}

/// With our handler removed, Ctrl-C goes to the default handler, which
/// ends the process without the C runtime's `atexit` handlers: no cleanup,
/// no report. Windows' default handler exits with STATUS_CONTROL_C_EXIT;
/// Wine 8.0's calls `RtlExitUserProcess(0)`, so the status here is 0
/// (measured under Wine 8.0; newer Wine's source uses the Windows code).
#[test]
fn after_leave_signals_alone_ctrl_c_ends_the_process_without_cleanups() {
    let mut fixture = Fixture::scenario("left-alone").start();
    fixture.wait_for_line("ready");
    fixture.interrupt();
    let run = fixture.finish();
    run.assert_code(0);
    assert!(run.ran().is_empty(), "{}", run.context());
    assert!(!run.report_written(), "{}", run.context());
}

/// `STATUS_STACK_BUFFER_OVERRUN` (0xC0000409), the code of Rust's abort on
/// Windows (`__fastfail`), as Wine's exit status shows it: its low 8 bits.
const FASTFAIL: i32 = 0xC000_0409_u32 as i32 & 0xFF;

/// SIGABRT is 22 in the Windows C runtime (6 on Linux, where this test
/// runs).
const WINDOWS_SIGABRT: i32 = 22;

/// A `panic = "abort"` build: our panic hook runs the cleanups on a fresh
/// thread, which then aborts as std would have; the panicking thread stops
/// inside the hook (Windows' abort cannot be caught, PORTABILITY.md).
#[test]
fn a_panic_in_an_abort_build_runs_the_cleanups_then_aborts() {
    let run = Fixture::scenario_in_abort_build("panic-main").run();
    run.assert_code(FASTFAIL);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert!(run.stderr.contains("boom in main"), "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "panic", "{}", run.context());
    assert_eq!(report["signal"], WINDOWS_SIGABRT, "{}", run.context());
}

/// A cleanup that panics in a `panic = "abort"` build is caught by our
/// hook as one that unwinds would be: the others run, the status stays.
#[test]
fn a_panicking_cleanup_in_an_abort_build_does_not_stop_the_others() {
    let run = Fixture::scenario_in_abort_build("faults").run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["ok-last", "panic-cleanup", "err-cleanup", "ok-first"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert_eq!(
        entry(&report, "panic-cleanup")["status"],
        "panic",
        "{}",
        run.context()
    );
}
