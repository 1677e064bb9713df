//! Signals: SIGINT, SIGTERM and SIGHUP run the cleanups, then the process
//! dies by the same signal; a second signal during the run ends it at once;
//! a signal the parent ignored stays ignored; a signal the program handles
//! itself is left to the program. Each test waits for the fixture's
//! `ready` line before signalling it.

mod common;

use common::Fixture;

#[test]
fn sigint_sigterm_and_sighup_run_cleanups_then_end_the_process_by_that_signal() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let mut child = Fixture::scenario(&["wait-for-signal"])
            .default_signal_dispositions()
            .json_report()
            .start();
        child.wait_for_line("ready");
        child.signal(signal);
        let run = child.finish();
        run.assert_signal(signal);
        assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
        let report = run.report();
        assert_eq!(report["trigger"], "signal", "{}", run.context());
        assert_eq!(report["signal"], signal, "{}", run.context());
        assert!(report["status"].is_null(), "{}", run.context());
    }
}

#[test]
fn a_signal_the_parent_ignored_stays_ignored() {
    let mut child = Fixture::scenario(&["wait-for-signal"])
        .default_signal_dispositions()
        .ignoring(libc::SIGTERM)
        .json_report()
        .start();
    child.wait_for_line("ready");
    // The kernel drops a signal the target ignores when it is sent, so once
    // `kill` returns the SIGTERM is gone; the SIGHUP then ends the process.
    child.signal(libc::SIGTERM);
    child.signal(libc::SIGHUP);
    let run = child.finish();
    run.assert_signal(libc::SIGHUP);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert_eq!(run.report()["signal"], libc::SIGHUP, "{}", run.context());
}

#[test]
fn a_second_signal_while_cleanups_run_ends_the_process_at_once_by_that_signal() {
    let mut child = Fixture::scenario(&["blocked-on-signal"])
        .default_signal_dispositions()
        .start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    child.wait_for_line("ran blocker");
    child.signal(libc::SIGINT);
    let run = child.finish();
    run.assert_signal(libc::SIGINT);
    assert_eq!(
        run.ran(),
        ["blocker"],
        "the run is cut short\n{}",
        run.context()
    );
}

#[test]
fn a_signal_the_program_handles_itself_is_left_to_the_program() {
    let mut child = Fixture::scenario(&["own-handler"])
        .default_signal_dispositions()
        .json_report()
        .start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_code(0);
    assert_eq!(
        run.count("the program's own SIGTERM handler ran"),
        1,
        "{}",
        run.context()
    );
    assert_eq!(
        run.ran_after("the program's own SIGTERM handler ran"),
        ["b", "a"],
        "the cleanups run when the program ends the process, not on the signal\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert!(report["signal"].is_null(), "{}", run.context());
}
