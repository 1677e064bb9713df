//! The Windows fixture: runs the one scenario named by `argv[1]`.
//!
//! It declares no static cleanups: every entry in its reports is a run-time
//! registration. Cleanups say `ran NAME` when they run; the test reads
//! those lines, the exit status and the JSON report on stderr.
//!
//! | scenario | what it does |
//! |---|---|
//! | `cr-exit-main` | registers a, b; `cleanup_runtime::exit(3)` from `main` |
//! | `cr-exit-thread` | registers a, b; another thread calls `cleanup_runtime::exit(3)` |
//! | `std-exit` | registers a, b; `std::process::exit(3)` (`ExitProcess`: no cleanups) |
//! | `panic-main` | registers a, b; panics in `main` |
//! | `faults` | ok-first, err-cleanup (`Err`), panic-cleanup, ok-last; returns |
//! | `timeout` | first, hung (never returns, 300 ms timeout), last; returns |
//! | `deadline` | first, hung (never returns), last; `cleanup_runtime::exit(3)` |
//! | `wait-for-signal` | registers a, b; prints `ready`, waits forever |
//! | `blocked-on-signal` | a, then blocker (never returns); prints `ready`, waits forever |
//! | `shutdown` | listens for shutdown, prints `ready`; when woken, drains and returns |
//! | `shutdown-stuck` | listens, prints `ready`; when woken, never returns |
//! | `temp` | a temp dir with a file in it and a temp file; prints both paths; returns |
//! | `left-alone` | registers a; `leave_signals_alone()`; prints `ready`, waits forever |
//! | `exit-in-cleanup` | a, exiter (`cleanup_runtime::exit(5)`), b; returns |
//! | `std-exit-in-cleanup` | a, std-exiter (`std::process::exit(4)`), b; returns |

use std::io::Write;
use std::time::Duration;

use cleanup_runtime::shutdown;
use cleanup_wine_tests::{block_forever, register_ran, say};

fn main() {
    let scenario = std::env::args().nth(1).expect("usage: scenarios SCENARIO");
    match scenario.as_str() {
        "cr-exit-main" => cr_exit_main(),
        "cr-exit-thread" => cr_exit_thread(),
        "std-exit" => std_exit(),
        "panic-main" => panic_main(),
        "faults" => faults(),
        "timeout" => timeout(),
        "deadline" => deadline(),
        "wait-for-signal" => wait_for_signal(),
        "blocked-on-signal" => blocked_on_signal(),
        "shutdown" => listen_for_shutdown(false),
        "shutdown-stuck" => listen_for_shutdown(true),
        "temp" => temp().expect("temp helpers"),
        "left-alone" => left_alone(),
        "exit-in-cleanup" => exit_in_cleanup(),
        "std-exit-in-cleanup" => std_exit_in_cleanup(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

fn cr_exit_main() {
    register_ran("a");
    register_ran("b");
    cleanup_runtime::exit(3);
}

fn cr_exit_thread() {
    register_ran("a");
    register_ran("b");
    let ender = std::thread::spawn(|| cleanup_runtime::exit(3));
    let _ = ender.join();
    unreachable!("the other thread ends the process");
}

fn std_exit() {
    register_ran("a");
    register_ran("b");
    std::process::exit(3);
}

fn panic_main() {
    register_ran("a");
    register_ran("b");
    panic!("boom in main");
}

fn faults() {
    register_ran("ok-first");
    cleanup_runtime::register_named("err-cleanup", || {
        say("ran err-cleanup");
        Err::<(), _>("disk full")
    });
    cleanup_runtime::register_named("panic-cleanup", panicking_cleanup);
    register_ran("ok-last");
}

fn panicking_cleanup() {
    say("ran panic-cleanup");
    panic!("cleanup panicked");
}

/// A cleanup that never returns.
fn hung_cleanup() {
    say("ran hung");
    block_forever();
}

/// Registers first, hung (a cleanup that never returns), last.
fn register_hung() -> cleanup_runtime::Handle {
    register_ran("first");
    let hung = cleanup_runtime::register_named("hung", hung_cleanup);
    register_ran("last");
    hung
}

fn timeout() {
    let hung = register_hung();
    assert!(hung.set_timeout(Duration::from_millis(300)));
}

fn deadline() {
    // The test sets CLEANUP_DEADLINE.
    register_hung();
    cleanup_runtime::exit(3);
}

fn wait_for_signal() {
    register_ran("a");
    register_ran("b");
    say("ready");
    block_forever();
}

fn blocked_on_signal() {
    register_ran("a");
    cleanup_runtime::register_named("blocker", hung_cleanup_named_blocker);
    say("ready");
    block_forever();
}

fn hung_cleanup_named_blocker() {
    say("ran blocker");
    block_forever();
}

/// A thread-based service: listens from the first `requested()` (before
/// `ready` is printed, so the test's signal cannot come too early), waits,
/// drains, returns — or, if `stuck`, never finishes draining.
fn listen_for_shutdown(stuck: bool) {
    register_ran("a");
    register_ran("b");
    let _listening = shutdown::requested();
    say("ready");
    shutdown::wait();
    say("woken");
    if stuck {
        block_forever();
    }
    say("drained");
}

fn temp() -> std::io::Result<()> {
    let dir = cleanup_runtime::temp::dir()?;
    std::fs::write(dir.join("inside.txt"), "scratch")?;
    let (mut file, path) = cleanup_runtime::temp::file()?;
    writeln!(file, "draft")?;
    say(&format!("temp-dir {}", dir.display()));
    say(&format!("temp-file {}", path.display()));
    Ok(())
}

fn left_alone() {
    register_ran("a");
    cleanup_runtime::leave_signals_alone();
    say("ready");
    block_forever();
}

/// The run order is b, exiter, a: the exiter ends its own cleanup, and the
/// rest of the run goes on before the process ends with 5.
fn exit_in_cleanup() {
    register_ran("a");
    // `-> ()`: a closure that only diverges would be typed `!`.
    cleanup_runtime::register_named("exiter", || -> () {
        say("ran exiter");
        cleanup_runtime::exit(5)
    });
    register_ran("b");
}

/// `std::process::exit` inside a cleanup is `ExitProcess`: the process
/// ends there, so `a` never runs (the documented Windows gap).
fn std_exit_in_cleanup() {
    register_ran("a");
    cleanup_runtime::register_named("std-exiter", || -> () {
        say("ran std-exiter");
        std::process::exit(4)
    });
    register_ran("b");
}
