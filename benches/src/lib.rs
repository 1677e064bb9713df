//! What the benchmark fixtures share: a clock, a way to print that works
//! inside exit handlers, the command-line protocol, and the end-of-`main`
//! timestamp that the last cleanup compares against.
//!
//! This library never names `cleanup-runtime`, so a fixture that uses only
//! this library does not link the runtime (a crate listed in Cargo.toml
//! but never named in code is not linked at all) — `fx-plain` relies on
//! that.
//!
//! # The fixture protocol
//!
//! Every fixture (ours and the peers, in Rust, C and Python) is called as
//! `PROGRAM MODE N [KIND]`:
//!
//! | mode | what it does |
//! |---|---|
//! | `none` | nothing: start and exit (the process floor) |
//! | `loop` | the registration loop with the registration left out, then `_exit(0)` |
//! | `reg` | registers `N` no-op cleanups, then `_exit(0)` (nothing runs) |
//! | `run` | registers `N` no-op cleanups and returns from `main` (they run) |
//! | `time` | as `run`, and prints `reg_ns T` (the loop) and, from the cleanup that runs last, `exit_ns T` (end of `main` to the last cleanup) |
//! | `time2` | two threads register `N` each at once; prints `reg_ns T` (both done), then `_exit(0)` |
//! | `sigwait` | registers `N` cleanups, prints `ready`, waits for a signal |
//!
//! `KIND` is `plain` (a closure that captures nothing) or `capture` (one that
//! captures a `u64`), for the fixtures that take closures.
//!
//! Instruction counts come from differences between modes under callgrind
//! (`reg N` − `loop N` is N registrations; `run N` − `reg N` is N cleanups
//! run plus the fixed cost of the exit path, which `run 0` − `reg 0`
//! removes), so `loop`, `reg` and `run` read no clock and print nothing.

use std::sync::atomic::{AtomicU64, Ordering};

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`, the clock the C and
/// Python fixtures read too).
pub fn now_ns() -> u64 {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime fills the timespec it is given; the monotonic
    // clock always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut time) };
    time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64
}

/// Writes `line` and a newline to stdout with one `write(2)`, ignoring
/// errors: usable inside exit handlers, where `println!` may panic.
pub fn emit(line: &str) {
    let text = format!("{line}\n");
    // SAFETY: writes bytes from a live buffer to fd 1.
    unsafe { libc::write(1, text.as_ptr().cast(), text.len()) };
}

/// One fixture invocation: `PROGRAM MODE N [KIND]`.
#[derive(Debug)]
pub struct Args {
    /// `none`, `loop`, `reg`, `run`, `time`, `time2` or `sigwait`.
    pub mode: String,
    /// How many cleanups (per thread for `time2`).
    pub n: usize,
    /// Whether the closures capture a value.
    pub capture: bool,
}

/// Reads the fixture's arguments; missing ones mean `none 0 plain`.
pub fn args() -> Args {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "none".to_owned());
    let n = args.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let capture = args.next().as_deref() == Some("capture");
    Args { mode, n, capture }
}

static END_OF_MAIN: AtomicU64 = AtomicU64::new(0);

/// Records the end of `main` (the `time` mode calls it last thing).
pub fn mark_end_of_main() {
    END_OF_MAIN.store(now_ns(), Ordering::SeqCst);
}

/// Prints `exit_ns T`: the time since [`mark_end_of_main`]. The cleanup
/// that runs last (the first one registered) calls it.
pub fn report_exit_elapsed() {
    let elapsed = now_ns().saturating_sub(END_OF_MAIN.load(Ordering::SeqCst));
    emit(&format!("exit_ns {elapsed}"));
}

/// Ends the process at once, running no exit handler (`reg` and `loop`).
pub fn quick_exit() -> ! {
    // SAFETY: _exit always succeeds and never returns.
    unsafe { libc::_exit(0) }
}

/// Prints `ready` and waits until a signal ends the process (`sigwait`).
pub fn wait_for_signal() -> ! {
    emit("ready");
    loop {
        // SAFETY: pause has no preconditions; it returns after a handled
        // signal, and the loop waits again.
        unsafe { libc::pause() };
    }
}

/// Runs `register` `n` times on each of two threads released together and
/// returns the wall time until both are done, in nanoseconds (`time2`).
pub fn two_threads(n: usize, register: fn(usize)) -> u64 {
    use std::sync::{Arc, Barrier};
    let start = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                register(n);
            })
        })
        .collect();
    start.wait();
    let began = now_ns();
    for thread in threads {
        thread.join().expect("a registering thread panicked");
    }
    now_ns() - began
}
