//! The final run when a thread other than the runner, or a signal, meets
//! the end of the process: a timed cleanup's `exit`, a SIGTERM that races
//! `main`'s return, `std::process::exit` on the signal path, and a cleanup
//! that touches the panic hook after a nested `std::process::exit`.
//!
//! The `panic = "abort"` corners are in `abort.rs`.

mod common;

use common::Fixture;

const EXIT_RACES: &str = env!("CARGO_BIN_EXE_exit_races");

fn exit_races(scenario: &str) -> Fixture {
    Fixture::new(EXIT_RACES, &[scenario])
        .default_signal_dispositions()
        .json_report()
}

#[test]
fn exit_from_a_cleanup_with_a_timeout_sets_the_status_and_the_rest_still_run() {
    let run = exit_races("timed-exit").run();
    run.assert_code(5);
    assert_eq!(run.ran(), ["timed", "after-timed"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["status"], 5, "{}", run.context());
    assert_eq!(
        report["entries"][0]["status"],
        "ok",
        "the timed cleanup ended by its exit, not by its timeout\n{}",
        run.context()
    );
}

#[test]
fn exit_from_a_cleanup_with_a_timeout_on_the_signal_path_keeps_the_death_by_signal() {
    for scenario in ["timed-exit-on-signal-path", "timed-std-exit-on-signal-path"] {
        let run = exit_races(scenario).run_signalled(libc::SIGTERM);
        run.assert_signal(libc::SIGTERM);
        assert_eq!(run.ran(), ["timed", "after-timed"], "{}", run.context());
        let report = run.report();
        assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
        assert_eq!(report["entries"][0]["status"], "ok", "{}", run.context());
    }
}

/// The handler wakes the watcher thread, and `main`'s return races it to
/// the final run; it lost 197 of 200 runs. Whoever runs the cleanups, the
/// process ends by the signal, and the report says so.
#[test]
fn a_signal_that_races_the_end_of_main_still_ends_the_process() {
    for _ in 0..200 {
        let run = exit_races("raise-then-return").run();
        run.assert_signal(libc::SIGTERM);
        assert_eq!(run.ran(), ["a"], "{}", run.context());
        let report = run.report();
        assert_eq!(report["trigger"], "signal", "{}", run.context());
        assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
        assert!(report["status"].is_null(), "{}", run.context());
    }
    // The run starts on the signal path and `main` reaches `exit` while it
    // goes on: its exit must wait for the signal's end, not overtake it.
    for _ in 0..50 {
        let run = exit_races("return-during-signal-run").run();
        run.assert_signal(libc::SIGTERM);
        assert_eq!(run.ran(), ["a"], "{}", run.context());
        assert_eq!(run.report()["trigger"], "signal", "{}", run.context());
    }
}

#[test]
fn std_process_exit_in_a_cleanup_on_the_signal_path_keeps_the_death_by_signal() {
    let run = exit_races("std-exit-on-signal-path").run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["exits", "a"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
    assert!(report["status"].is_null(), "{}", run.context());
}

/// std holds its panic hook's lock while a hook runs; the run that goes on
/// after the nested `exit` must not happen under it.
#[test]
fn a_cleanup_can_replace_the_panic_hook_after_another_called_std_process_exit() {
    let run = exit_races("hook-after-std-exit").run();
    run.assert_code(common::code_when_the_runtime_ends_the_exit(3));
    assert_eq!(run.ran(), ["exits", "touches-hook"], "{}", run.context());
    let report = run.report();
    assert_eq!(
        report["entries"].as_array().map(Vec::len),
        Some(2),
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        common::reported_status(3),
        "{}",
        run.context()
    );
}
