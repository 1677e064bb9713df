//! Async cleanups (feature `tokio`): each one, a `register_async` future or
//! an `async fn` under `#[at_exit]` / `#[cleanup]`, connects to a listener
//! this test owns on 127.0.0.1 and writes its name; what the listener
//! received, in order, is what ran. Checked on every path that ends a tokio
//! program: `main` returning from `#[tokio::main]`, `std::process::exit`
//! inside a task on a worker thread, SIGTERM, and `run_now` inside the
//! program's runtime; with sync cleanups in LIFO order, timeouts and errors.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use common::{Fixture, Run, entry, names};
use serde_json::Value;

const ASYNC_CLEANUPS: &str = env!("CARGO_BIN_EXE_async_cleanups");

/// Not a timing check: a line that has not arrived after this long never
/// will (the fixture already ended), and the test fails instead of hanging.
const LINE_GUARD: Duration = Duration::from_secs(60);

/// A listener on 127.0.0.1 that hands over each connection's text.
struct Listener {
    port: u16,
    lines: Receiver<String>,
}

impl Listener {
    fn new() -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let mut text = String::new();
                let _ = stream.expect("accept").read_to_string(&mut text);
                if sender.send(text.trim_end().to_owned()).is_err() {
                    return;
                }
            }
        });
        Listener { port, lines }
    }

    fn fixture(&self, scenario: &str) -> Fixture {
        Fixture::new(ASYNC_CLEANUPS, &[scenario, &self.port.to_string()])
            .default_signal_dispositions()
            .json_report()
    }

    /// The first `count` lines received, in order of connection.
    #[track_caller]
    fn received(&self, count: usize, run: &Run) -> Vec<String> {
        (0..count)
            .map(|index| {
                self.lines
                    .recv_timeout(LINE_GUARD)
                    .unwrap_or_else(|_| panic!("line {index} never arrived\n{}", run.context()))
            })
            .collect()
    }
}

fn statuses(report: &Value) -> Vec<&str> {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["status"].as_str().expect("status"))
        .collect()
}

#[test]
fn at_normal_end_async_cleanups_write_to_a_socket_in_lifo_order_with_sync_ones() {
    let listener = Listener::new();
    let run = listener.fixture("normal").run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        [
            "a2",
            "s2",
            "a1",
            "s1",
            "static-stuck",
            "static-failing",
            "static-at-exit"
        ],
        "{}",
        run.context()
    );
    assert_eq!(
        listener.received(3, &run),
        ["a2", "a1", "static-at-exit"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert!(statuses(&report).iter().all(|s| *s == "ok"), "{report}");
    assert_eq!(report["entries"].as_array().expect("entries").len(), 7);
}

#[test]
fn std_process_exit_inside_a_task_on_a_worker_thread_runs_async_cleanups() {
    let listener = Listener::new();
    let run = listener.fixture("exit_in_task").run();
    run.assert_code(0);
    assert_eq!(
        listener.received(2, &run),
        ["a1", "static-at-exit"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{report}");
    assert!(statuses(&report).iter().all(|s| *s == "ok"), "{report}");
}

#[test]
fn after_sigterm_async_cleanups_run_on_the_watcher_then_the_signal_ends_the_process() {
    let listener = Listener::new();
    let run = listener.fixture("sigterm").run_signalled(libc::SIGTERM);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(
        listener.received(2, &run),
        ["a1", "static-at-exit"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["signal"], libc::SIGTERM, "{report}");
    assert!(statuses(&report).iter().all(|s| *s == "ok"), "{report}");
}

#[test]
fn an_async_cleanup_that_never_finishes_times_out_and_later_async_ones_still_run() {
    let listener = Listener::new();
    let run = listener.fixture("timeout").run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        [
            "a-stuck",
            "a-late",
            "static-stuck",
            "static-failing",
            "static-at-exit"
        ],
        "{}",
        run.context()
    );
    assert_eq!(
        listener.received(2, &run),
        ["a-late", "static-at-exit"],
        "the async cleanups after each abandoned one still ran\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        statuses(&report),
        ["timeout", "ok", "timeout", "ok", "ok"],
        "Handle::set_timeout and #[cleanup(timeout = \"300ms\")] alike\n{report}"
    );
    assert_eq!(entry(&report, "static-stuck")["status"], "timeout");
}

/// A cleanup that holds its runtime's thread (a blocking call, a loop that
/// never awaits) cannot be preempted: abandoned at its timeout, it keeps
/// that thread, and the next async cleanup must not wait behind it. The
/// deadline is only the bound on a run that would hang: each later cleanup
/// must end `ok`, none `skipped` or cut off by the deadline.
#[test]
fn async_cleanups_abandoned_while_holding_their_thread_do_not_hold_back_the_next_ones() {
    let listener = Listener::new();
    let run = listener
        .fixture("held_thread")
        .env("CLEANUP_DEADLINE", "20s")
        .run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        [
            "a-blocking",
            "a-spinning",
            "a-on-time",
            "static-stuck",
            "static-failing",
            "static-at-exit"
        ],
        "the spinning cleanup started though the blocking one held its thread\n{}",
        run.context()
    );
    assert_eq!(
        listener.received(2, &run),
        ["a-on-time", "static-at-exit"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        statuses(&report),
        ["timeout", "timeout", "ok", "ok", "ok", "ok"],
        "{report}"
    );
}

#[test]
fn an_async_err_is_reported_error_and_a_panic_panic() {
    let listener = Listener::new();
    let run = listener.fixture("errors").run();
    run.assert_code(0);
    let report = run.report();
    assert_eq!(
        statuses(&report),
        ["panic", "error", "ok", "error", "ok"],
        "{report}"
    );
    let entries = report["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["error"], "async panicked", "{report}");
    assert_eq!(entries[1]["error"], "async failed", "{report}");
    assert_eq!(
        entry(&report, "static-failing")["error"],
        "static async failed"
    );
    assert_eq!(
        listener.received(1, &run),
        ["static-at-exit"],
        "{}",
        run.context()
    );
}

#[test]
fn run_now_inside_the_programs_runtime_drives_async_cleanups_elsewhere() {
    let listener = Listener::new();
    let run = listener.fixture("run_now").run();
    run.assert_code(0);
    assert_eq!(
        run.value_of("run_now done: "),
        "4",
        "every cleanup ran in run_now, none panicked on a nested runtime\n{}",
        run.context()
    );
    assert_eq!(
        listener.received(2, &run),
        ["a1", "static-at-exit"],
        "{}",
        run.context()
    );
    // Nothing was left for the exit.
    assert_eq!(
        names(&run.report()["entries"]).len(),
        0,
        "{}",
        run.context()
    );
}

#[test]
fn the_runtime_thread_starts_when_the_first_async_cleanup_runs_not_when_one_is_registered() {
    let listener = Listener::new();
    let run = listener.fixture("lazy").run();
    run.assert_code(0);
    let checks: Vec<&str> = run
        .out()
        .lines()
        .filter(|line| line.starts_with("runtime thread: ") || line.starts_with("ran "))
        .collect();
    assert_eq!(
        checks[..3],
        ["runtime thread: false", "ran a1", "runtime thread: true"],
        "{}",
        run.context()
    );
}

#[test]
fn the_deadline_ends_a_run_held_by_an_async_cleanup_that_never_finishes() {
    let listener = Listener::new();
    let run = listener
        .fixture("deadline")
        .env("CLEANUP_DEADLINE", "300ms")
        .run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["a-forever"], "{}", run.context());
    let report = run.report();
    let statuses = statuses(&report);
    assert_eq!(statuses[0], "timeout", "{report}");
    assert!(
        statuses[1..].iter().all(|status| *status == "skipped"),
        "s1 and the statics never started\n{report}"
    );
}

#[test]
fn run_now_inside_an_async_cleanup_reports_an_error_instead_of_waiting_for_good() {
    let listener = Listener::new();
    let run = listener.fixture("nested").run();
    run.assert_code(0);
    assert!(
        run.value_of("nested: ")
            .starts_with("Error an async cleanup cannot run on the runtime thread"),
        "{}",
        run.context()
    );
}
