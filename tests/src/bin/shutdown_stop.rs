//! The stopping fixture: why shutdown was requested, the shutdown delay, a
//! command-line program that polls and ends by the signal, and what
//! systemd is told. Runs the one scenario named by `argv[1]`, says `ready`
//! once it listens (or, for the plain programs, once its cleanups are
//! registered), and reports what happens as lines (see
//! `cleanup_tests::say`).
//!
//! | scenario | what it does |
//! |---|---|
//! | `reason` | cleanup a; waits in `shutdown::wait()`; says `reason R` (what `wait` returned) and `polled R` (`shutdown::reason()`); returns |
//! | `reason-request` | as `reason`, but the program calls `shutdown::request()` itself after `ready` |
//! | `delay` | cleanups a, b; a thread waits (`woken`); says `pending` once `is_pending()`; never ends |
//! | `cli` | cleanup a; `listen()`, polls `is_requested()`; then says `interrupted by R`, `own clean-up`, and calls `shutdown::exit(1)` |
//! | `cli-request` | as `cli`, but the program calls `shutdown::request()` itself after `ready` |
//! | `long-cleanup` | never listens; cleanup `slow` says `slow started` and never returns; `main` returns |
//! | `probe` | never listens; its one cleanup says `threads: N`, how many threads the process has as it runs; `main` returns |

use std::thread;
use std::time::Duration;

use cleanup_runtime::shutdown;
use cleanup_tests::{register_ran, say};

fn main() {
    let scenario = std::env::args()
        .nth(1)
        .expect("usage: shutdown_stop SCENARIO");
    match scenario.as_str() {
        "reason" => reason(false),
        "reason-request" => reason(true),
        "delay" => delay(),
        "cli" => cli(false),
        "cli-request" => cli(true),
        "long-cleanup" => long_cleanup(),
        "probe" => probe(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

/// What `wait` returns, and what a poller reads.
fn reason(request: bool) {
    register_ran("a");
    shutdown::listen();
    say("ready");
    if request {
        shutdown::request();
    }
    let reason = shutdown::wait();
    say(format_args!("reason {reason:?}"));
    say(format_args!("polled {:?}", shutdown::reason()));
}

/// Readiness fails at once; the waiters are woken only after the delay
/// (`CLEANUP_SHUTDOWN_DELAY`, set by the test).
fn delay() -> ! {
    register_ran("a");
    register_ran("b");
    shutdown::listen();
    thread::spawn(|| {
        shutdown::wait();
        say("woken");
    });
    say("ready");
    // Polled, as a readiness endpoint would be asked.
    while !shutdown::is_pending() {
        thread::sleep(Duration::from_millis(1));
    }
    say(format_args!(
        "pending (requested: {})",
        shutdown::is_requested()
    ));
    loop {
        thread::park();
    }
}

/// A command-line loop: listens without a future, polls, cleans up after
/// itself, then ends by the signal that stopped it.
fn cli(request: bool) -> ! {
    register_ran("a");
    shutdown::listen();
    say("ready");
    if request {
        shutdown::request();
    }
    while !shutdown::is_requested() {
        thread::sleep(Duration::from_millis(1)); // one step of the work
    }
    say(format_args!("interrupted by {:?}", shutdown::reason()));
    say("own clean-up");
    shutdown::exit(1)
}

/// A plain program whose cleanup outlives the deadline.
fn long_cleanup() {
    cleanup_runtime::register_named("slow", || -> () {
        say("slow started");
        loop {
            thread::park();
        }
    });
    say("ready");
}

/// A plain program whose cleanup counts the process's threads: the
/// runtime's systemd thread is one of them when it exists. Counted, not
/// looked up by name: a thread is listed from its `clone`, but names
/// itself only once it runs.
fn probe() {
    cleanup_runtime::register(|| {
        let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
        say(format_args!("threads: {}", tasks.count()));
    });
    say("ready");
}
