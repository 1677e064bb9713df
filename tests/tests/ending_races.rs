//! Where the service features meet the exit path: the first signal during
//! the run at exit (signals are counted), the deadline against a panic
//! hook stuck on a full stderr, `run_now` on another thread when `main`
//! returns, forked workers of a listening parent, and a waker that blocks.
//! Fixture: `src/bin/ending_races.rs`.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::{Fixture, entry, names};

const ENDING_RACES: &str = env!("CARGO_BIN_EXE_ending_races");

fn ending_races(args: &[&str]) -> Fixture {
    Fixture::new(ENDING_RACES, args)
        .default_signal_dispositions()
        .json_report()
}

/// The first SIGTERM, raised inside a cleanup of the run at exit, lets the
/// run finish: every cleanup runs, the report is written and says the
/// signal, and the process then ends by it.
#[test]
fn the_first_signal_during_the_run_at_exit_lets_it_finish_then_ends_by_it() {
    for how in ["return", "exit", "listening"] {
        let run = ending_races(&["signal-in-run", how, "raise"]).run();
        run.assert_signal(libc::SIGTERM);
        let out = run.out();
        for line in ["flush start", "signal handled", "flush end", "ran pid-file"] {
            assert!(out.contains(line), "{how}: no {line:?}\n{}", run.context());
        }
        let report = run.report();
        assert_eq!(names(&report["entries"]), ["flush", "pid-file"], "{how}");
        assert_eq!(report["signal"], libc::SIGTERM, "{how}\n{}", run.context());
        assert!(report["status"].is_null(), "{how}\n{}", run.context());
        for name in ["flush", "pid-file"] {
            assert_eq!(entry(&report, name)["status"], "ok", "{how}: {name}");
        }
    }
}

/// The same with the signal sent from outside, as a supervisor sends it,
/// swept over the three ways a run starts: nothing is ever cut short.
#[test]
fn a_supervisors_first_sigterm_to_a_process_already_ending_loses_nothing() {
    for how in ["return", "exit", "listening"] {
        for _ in 0..20 {
            let mut child = ending_races(&["signal-in-run", how, "test"])
                .stdin_piped()
                .start();
            child.wait_for_line("flush start");
            child.signal(libc::SIGTERM);
            child.write_line("go");
            let run = child.finish();
            run.assert_signal(libc::SIGTERM);
            assert!(run.out().contains("flush end"), "{how}\n{}", run.context());
            assert!(
                run.out().contains("ran pid-file"),
                "{how}\n{}",
                run.context()
            );
            let report = run.report();
            assert_eq!(names(&report["entries"]), ["flush", "pid-file"], "{how}");
        }
    }
}

/// A second signal still cuts the run short at once.
#[test]
fn a_second_signal_during_the_run_at_exit_still_cuts_it_short() {
    let mut child = ending_races(&["signal-in-run", "return", "test"])
        .stdin_piped()
        .start();
    child.wait_for_line("flush start");
    child.signal(libc::SIGTERM);
    child.signal(libc::SIGINT);
    let run = child.finish();
    assert!(!run.out().contains("flush end"), "{}", run.context());
    assert!(!run.out().contains("ran pid-file"), "{}", run.context());
    assert!(!run.report_written(), "{}", run.context());
    let signal = run.status.signal();
    assert!(
        signal == Some(libc::SIGTERM) || signal == Some(libc::SIGINT),
        "{}",
        run.context()
    );
}

/// The `hook-blocked` scenario ended `how` (`exit`: `std::process::exit(3)`;
/// `signal`: SIGTERM) with a deadline of 1 s, and checked to end that way:
/// with 3, or, where the deadline ends an exit whose status the exit hook
/// was not told (the portable path's `atexit`), with 0, as README says.
fn hook_blocked(how: &str, hook: &str) -> common::Run {
    let fixture = ending_races(&["hook-blocked", how, hook]).env("CLEANUP_DEADLINE", "1s");
    let run = match how {
        "exit" => fixture.run(),
        _ => fixture.run_signalled(libc::SIGTERM),
    };
    let deadline_ends_it = hook == "own";
    match how {
        "exit" if deadline_ends_it && cfg!(cleanup_runtime_portable) => run.assert_code(0),
        "exit" => run.assert_code(3),
        _ => run.assert_signal(libc::SIGTERM),
    }
    run
}

/// A worker's panic message blocks std's default hook on a full stderr
/// (through our hook), holding std's hook lock; the run at exit must not
/// wait for that lock, on the exit path or the signal path.
#[test]
fn a_panic_hook_stuck_on_a_full_stderr_does_not_hold_the_run() {
    for how in ["exit", "signal"] {
        let run = hook_blocked(how, "ours");
        assert_eq!(run.ran(), ["cleanup"], "{how}\n{}", run.context());
        let report = run.report();
        assert_eq!(entry(&report, "cleanup")["status"], "ok", "{how}");
    }
}

/// The program's own hook is stuck instead: ours is not the installed one,
/// so putting it back waits for std's hook lock, and only the deadline,
/// armed before that wait, ends the process, with its report and the
/// status (or signal) it was ending with.
#[test]
fn the_deadline_bounds_a_wait_for_the_programs_own_stuck_hook() {
    for how in ["exit", "signal"] {
        let run = hook_blocked(how, "own");
        let report = run.report();
        assert_eq!(
            names(&report["entries"]),
            ["cleanup"],
            "{how}\n{}",
            run.context()
        );
    }
}

/// `run_now` on another thread is running a cleanup when `main` returns:
/// the run at exit waits for it, and its report has it.
#[test]
fn the_run_at_exit_waits_for_a_run_now_cleanup_in_flight() {
    let run = ending_races(&["run-now-racing"]).run();
    run.assert_code(0);
    assert!(run.out().contains("slow end"), "{}", run.context());
    assert!(run.out().contains("ran at-exit"), "{}", run.context());
    let report = run.report();
    let ran = names(&report["entries"]);
    assert!(
        ran.contains(&"slow") && ran.contains(&"at-exit"),
        "{}",
        run.context()
    );
    assert_eq!(entry(&report, "slow")["status"], "ok");
}

/// The pre-fork worker: a parent that listens forks a worker that listens
/// too; SIGTERM to the worker wakes it, as it would its parent, rather
/// than killing it.
#[test]
fn a_forked_worker_of_a_listening_parent_is_woken_by_its_signal() {
    let mut child = ending_races(&["forked-worker"]).start();
    let worker = child.wait_for_prefix("worker listening ");
    let worker: libc::pid_t = worker.parse().expect("a pid");
    // SAFETY: the worker is alive (it waits to be woken, and its parent
    // waits for it); kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(worker, libc::SIGTERM) }, 0);
    let run = child.finish();
    run.assert_code(0);
    assert!(run.out().contains("worker woken"), "{}", run.context());
    assert!(run.out().contains("child exited 7"), "{}", run.context());
    assert!(run.out().contains("ran parent"), "{}", run.context());
}

/// A forked child that adopted its parent's cleanups, of a parent that
/// listened and was asked to shut down: its own first signal, raised
/// during its run at exit, is its first, not a second: the run finishes.
#[test]
fn a_forked_childs_first_signal_is_its_own_first() {
    let run = ending_races(&["forked-adopter"]).run();
    run.assert_code(0);
    let out = run.out();
    assert!(out.contains("child end"), "{}", run.context());
    assert!(out.contains("child signalled 15"), "{}", run.context());
    // Once in the child (adopted), once in the parent.
    assert_eq!(run.count("ran parent"), 2, "{}", run.context());
}

/// A waker that blocks when woken cannot hold the signal watcher: the
/// second signal during the grace period still runs the cleanups and ends
/// the process by it.
#[test]
fn a_blocking_waker_does_not_stall_the_grace_period() {
    let mut child = ending_races(&["blocking-waker"]).start();
    child.wait_for_line("ready");
    child.signal(libc::SIGTERM);
    child.wait_for_line("waker blocks");
    child.signal(libc::SIGINT);
    let run = child.finish();
    run.assert_signal(libc::SIGINT);
    assert_eq!(run.ran(), ["cleanup"], "{}", run.context());
}
