//! Fixture for `tests/exit_locks.rs`: the end of the process meets std's
//! stdio locks, a stderr pipe nobody reads, the deadline watchdog's race
//! with the runner, and `run_now` at and before exit.
//!
//! `exit_locks SCENARIO`: does what the scenario says and ends the process.
//! Its lines go through [`say`] (stdout, or `FIXTURE_LOG` when the test
//! holds stdout on purpose).

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use cleanup_runtime::Trigger;
use cleanup_tests::{ran, say};

/// How many cleanups the watchdog race registers: enough that the JSON
/// report (about 150 bytes per entry) is many times a pipe's 64 KiB
/// buffer, so a process that ends while the watchdog writes it cuts it
/// short.
const MANY: usize = 5_000;

/// How many times the history scenario calls `run_now`: more than the
/// history keeps.
const MANUAL_RUNS: usize = 3_000;

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "deadline-stderr-locked" => deadline_while_a_cleanup_holds_stderr(),
        "deadline-stderr-full" => deadline_while_a_cleanup_fills_stderr(),
        "exit-while-stdout-held" => exit_from_a_cleanup_while_stdout_is_held(),
        "report-while-stderr-held" => report_while_another_thread_holds_stderr(),
        "report-on-full-stderr" => report_on_a_full_stderr_pipe(),
        "watchdog-race" => {
            register_watchdog_race();
            std::process::exit(6);
        }
        "watchdog-race-signal" => {
            register_watchdog_race();
            say("ready");
            park_forever();
        }
        "nested-run-now" => nested_run_now(),
        "history-bound" => history_bound(),
        other => panic!("unknown scenario {other:?}"),
    }
}

fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

/// A cleanup takes std's stderr lock and hangs; the deadline (set by the
/// test) must still write the report and end the process with status 6.
fn deadline_while_a_cleanup_holds_stderr() {
    cleanup_runtime::register_named("never-started", || ran("never-started"));
    cleanup_runtime::register_named("holds-stderr", || -> () {
        let _stderr = std::io::stderr().lock();
        say("holding stderr");
        park_forever();
    });
    std::process::exit(6);
}

/// A cleanup writes to stderr until it blocks: the test's pipe is never
/// read. The deadline must still end the process with status 6.
fn deadline_while_a_cleanup_fills_stderr() {
    cleanup_runtime::register_named("fills-stderr", || -> () {
        say("filling stderr");
        let line = [b'x'; 1024];
        loop {
            let _ = std::io::stderr().write_all(&line);
        }
    });
    std::process::exit(6);
}

/// Another thread holds std's stdout for good (a `println!` stuck on a
/// pipe nobody reads); a cleanup calls `cleanup_runtime::exit(3)`. The
/// rest runs and the process ends with 3.
fn exit_from_a_cleanup_while_stdout_is_held() {
    let (locked, is_locked) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        let _ = locked.send(());
        let line = [b'y'; 1024];
        loop {
            let _ = stdout.write_all(&line);
        }
    });
    is_locked.recv().expect("the writer thread took stdout");
    say("stdout is held");
    cleanup_runtime::register_named("after-exit-call", || ran("after-exit-call"));
    cleanup_runtime::register_named("calls-exit", || -> () {
        ran("calls-exit");
        cleanup_runtime::exit(3)
    });
    std::process::exit(0);
}

/// Another thread holds std's stderr for good while `main` returns and a
/// cleanup fails: the report on stderr must still be written, and the
/// process end.
fn report_while_another_thread_holds_stderr() {
    let (locked, is_locked) = mpsc::channel();
    std::thread::spawn(move || {
        let _stderr = std::io::stderr().lock();
        let _ = locked.send(());
        park_forever();
    });
    is_locked.recv().expect("the thread took stderr");
    cleanup_runtime::register_named("fails", || Err::<(), _>("disk full"));
    say("stderr is held");
}

/// Another thread holds std's stderr, blocked on a pipe nobody reads, while
/// `main` returns and a cleanup fails: every cleanup ends in time, and the
/// failure line the report writes cannot get through. The deadline (set by
/// the test) bounds that write too, so the process ends with status 0.
fn report_on_a_full_stderr_pipe() {
    let (locked, is_locked) = mpsc::channel();
    std::thread::spawn(move || {
        let mut stderr = std::io::stderr().lock();
        let _ = locked.send(());
        let line = [b'z'; 1024];
        loop {
            let _ = stderr.write_all(&line);
        }
    });
    is_locked.recv().expect("the writer thread took stderr");
    cleanup_runtime::register_named("fails", || Err::<(), _>("disk full"));
    say("stderr is held");
}

/// The deadline passes while the first cleanup waits; as soon as the
/// watchdog has taken the run's record (`report()` no longer shows the
/// final run), that cleanup returns, so the runner thread reaches the end
/// of the run (and would return into `exit`, or re-raise the signal) while
/// the watchdog writes a report of `MANY + 1` entries to stderr. The
/// process must end only once that report is whole.
fn register_watchdog_race() {
    for _ in 0..MANY {
        cleanup_runtime::register(|| {});
    }
    cleanup_runtime::register_named("outlives-the-deadline", || {
        // Polls a state the test cannot see from outside; the sleep only
        // paces the loop.
        while cleanup_runtime::report().trigger() != Trigger::Manual {
            std::thread::sleep(Duration::from_millis(1));
        }
        say("the watchdog took the record");
    });
}

/// A cleanup at exit calls `run_now`, which runs the other one: the report
/// at exit lists both.
fn nested_run_now() {
    cleanup_runtime::register_named("inner", || ran("inner"));
    cleanup_runtime::register_named("outer", || {
        ran("outer");
        let report = cleanup_runtime::run_now();
        let names: Vec<_> = report.entries().iter().map(|e| e.name()).collect();
        say(format_args!("nested run_now ran {}", names.join(",")));
    });
}

/// `run_now` called many times: `report()` keeps only the most recent
/// entries.
fn history_bound() {
    for i in 0..MANUAL_RUNS {
        cleanup_runtime::register_named(&format!("n{i}"), || {});
        cleanup_runtime::run_now();
    }
    let report = cleanup_runtime::report();
    let entries = report.entries();
    say(format_args!("history {}", entries.len()));
    if let (Some(first), Some(last)) = (entries.first(), entries.last()) {
        say(format_args!("oldest {}", first.name()));
        say(format_args!("newest {}", last.name()));
    }
    cleanup_runtime::clear();
}
