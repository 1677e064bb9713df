//! Programs started in hostile but ordinary ways (contract, "Faults"): with
//! standard fds closed, as daemonizers, cron wrappers and `cmd >&-` start
//! them, and writing bytes where the runtime listens for signals.
//!
//! The `hostile` fixture has a static cleanup, so the runtime arms its
//! signal handling in a constructor before `main` — before std puts
//! `/dev/null` on closed standard fds. Whatever the runtime opens there
//! must not take fd 0, 1 or 2, and the watcher must act only on what its
//! own handler wrote.

mod common;

use common::Fixture;

const HOSTILE: &str = env!("CARGO_BIN_EXE_hostile");

/// Each standard fd closed alone, stdout and stderr (`cmd >&- 2>&-`), all
/// three.
const CLOSED: [&[libc::c_int]; 5] = [&[0], &[1], &[2], &[1, 2], &[0, 1, 2]];

fn hostile(args: &[&str]) -> Fixture {
    Fixture::new(HOSTILE, args)
        .default_signal_dispositions()
        .log_file()
        .json_report()
}

#[test]
fn a_program_started_with_standard_fds_closed_keeps_its_status_and_writes_its_report() {
    for closed in CLOSED {
        let run = hostile(&["garbage"]).closing(closed).run();
        // std puts /dev/null on a standard fd that is closed at start-up,
        // unless something took it first.
        for fd in closed {
            assert_eq!(
                run.value_of(&format!("fd {fd} ")),
                "/dev/null",
                "closed {closed:?}\n{}",
                run.context()
            );
        }
        run.assert_code(3);
        assert_eq!(
            run.ran(),
            ["static"],
            "closed {closed:?}\n{}",
            run.context()
        );
        let report = run.report();
        assert_eq!(
            report["trigger"],
            "exit",
            "closed {closed:?}\n{}",
            run.context()
        );
        assert_eq!(
            report["status"],
            common::reported_status(3),
            "closed {closed:?}\n{}",
            run.context()
        );
    }
}

#[test]
fn garbage_on_stderr_and_stdout_never_ends_the_program() {
    // Nothing closed: the same bytes go to the test's pipes.
    let run = hostile(&["garbage"]).run();
    run.assert_code(3);
    assert_eq!(run.ran(), ["static"], "{}", run.context());
    assert!(
        run.stderr.contains("hello from the program"),
        "{}",
        run.context()
    );
}

#[test]
fn with_standard_fds_closed_a_signal_still_runs_the_cleanups_and_ends_the_process() {
    for closed in CLOSED {
        let run = hostile(&["raise"]).closing(closed).run();
        run.assert_signal(libc::SIGTERM);
        assert_eq!(
            run.ran(),
            ["static"],
            "closed {closed:?}\n{}",
            run.context()
        );
        let report = run.report();
        assert_eq!(report["trigger"], "signal", "{}", run.context());
        assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
    }
}

#[test]
fn bytes_forged_into_the_wake_pipe_are_never_taken_for_signals() {
    let run = hostile(&["forge", "exit"]).run();
    assert_eq!(
        run.value_of("forged into "),
        "1 pipes",
        "the fixture found the wake pipe\n{}",
        run.context()
    );
    run.assert_code(3);
    assert_eq!(run.ran(), ["static"], "{}", run.context());
    assert_eq!(run.report()["trigger"], "exit", "{}", run.context());
}

#[test]
fn after_forged_bytes_a_real_signal_is_still_handled() {
    let run = hostile(&["forge", "raise"]).run();
    assert_eq!(run.value_of("forged into "), "1 pipes", "{}", run.context());
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["static"], "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "signal", "{}", run.context());
    assert_eq!(report["signal"], libc::SIGTERM, "{}", run.context());
}
