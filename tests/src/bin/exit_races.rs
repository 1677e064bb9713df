//! Fixture for `tests/exit_races.rs`: the corners of the final run where a
//! thread other than the runner, or a signal, meets the end of the process.
//!
//! `exit_races SCENARIO`:
//!
//! | scenario | what it does |
//! |---|---|
//! | `timed-exit` | a cleanup with a timeout calls `cleanup_runtime::exit(5)`; `main` returns |
//! | `timed-exit-on-signal-path` | the same during the run SIGTERM started |
//! | `timed-std-exit-on-signal-path` | the same with `std::process::exit(6)` |
//! | `raise-then-return` | `main` raises SIGTERM at itself, then returns at once |
//! | `return-during-signal-run` | SIGTERM starts the run; a cleanup waits until `main` has returned and is inside `exit` |
//! | `std-exit-on-signal-path` | a cleanup calls `std::process::exit(7)` during the run SIGTERM started |
//! | `hook-after-std-exit` | a cleanup calls `std::process::exit(9)`, a later one replaces the panic hook; `main` calls `std::process::exit(3)` |
//!
//! Every cleanup says `ran NAME` when it runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cleanup_tests::{ran, say};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    match scenario.as_str() {
        "timed-exit" => timed_exit(),
        "timed-exit-on-signal-path" => timed_exit_on_signal_path(|| cleanup_runtime::exit(6)),
        "timed-std-exit-on-signal-path" => timed_exit_on_signal_path(|| std::process::exit(6)),
        "raise-then-return" => raise_then_return(),
        "return-during-signal-run" => return_during_signal_run(),
        "std-exit-on-signal-path" => std_exit_on_signal_path(),
        "hook-after-std-exit" => hook_after_std_exit(),
        other => panic!("unknown scenario {other:?}"),
    }
}

/// The timed cleanup runs on a helper thread; its `exit(5)` must count as
/// a cleanup's. The timeout is long: reaching it is the bug.
fn timed_exit() {
    cleanup_runtime::register(|| ran("after-timed"));
    let timed = cleanup_runtime::register(|| -> () {
        ran("timed");
        cleanup_runtime::exit(5)
    });
    timed.set_timeout(Duration::from_secs(30));
}

/// The signal decides the end; the timed cleanup's exit only ends that
/// cleanup.
fn timed_exit_on_signal_path(exit: fn() -> !) {
    cleanup_runtime::register(|| ran("after-timed"));
    let timed = cleanup_runtime::register(move || -> () {
        ran("timed");
        exit()
    });
    timed.set_timeout(Duration::from_secs(30));
    say("ready");
    loop {
        std::thread::park();
    }
}

fn raise_signal(signal: libc::c_int) {
    // SAFETY: raise has no preconditions; our handler for the signal is
    // installed (the first registration armed it).
    unsafe { libc::raise(signal) };
}

/// The handler runs before `raise` returns and wakes the watcher thread;
/// `main`'s own end then races the watcher to the final run.
fn raise_then_return() {
    cleanup_runtime::register(|| ran("a"));
    raise_signal(libc::SIGTERM);
}

/// Set by an `atexit` handler registered after the runtime's, so it runs
/// first inside `exit`: `main` has returned and is about to reach ours.
static MAIN_EXITING: AtomicBool = AtomicBool::new(false);

extern "C" fn mark_main_exiting() {
    MAIN_EXITING.store(true, Ordering::SeqCst);
}

/// The run starts on the signal path; `main` returns while it goes on, and
/// the cleanup ends only once `main` is inside `exit`, so `main`'s exit
/// meets a run in progress (or just done).
fn return_during_signal_run() {
    static RUN_STARTED: AtomicBool = AtomicBool::new(false);
    cleanup_runtime::register(|| {
        RUN_STARTED.store(true, Ordering::SeqCst);
        while !MAIN_EXITING.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        ran("a");
    });
    // SAFETY: registers a plain `extern "C"` function that does not unwind.
    unsafe { libc::atexit(mark_main_exiting) };
    raise_signal(libc::SIGTERM);
    while !RUN_STARTED.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
}

/// The process must still end by SIGTERM, not with 7.
fn std_exit_on_signal_path() {
    cleanup_runtime::register(|| ran("a"));
    cleanup_runtime::register(|| -> () {
        ran("exits");
        std::process::exit(7)
    });
    say("ready");
    loop {
        std::thread::park();
    }
}

/// The rest of the run after the nested `std::process::exit` must be free
/// to touch the panic hook.
fn hook_after_std_exit() {
    cleanup_runtime::register(|| {
        let hook = std::panic::take_hook();
        std::panic::set_hook(hook);
        ran("touches-hook");
    });
    cleanup_runtime::register(|| -> () {
        ran("exits");
        std::process::exit(9)
    });
    std::process::exit(3);
}
