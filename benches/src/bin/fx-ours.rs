//! Our fixture: run-time registration with `cleanup_runtime::register`,
//! following the protocol in the `cleanup_benches` crate docs.
//!
//! `none` links the runtime (its constructor registers two exit handlers and
//! the fork handlers) but registers nothing: the process floor of "uses the
//! crate, zero cleanups". `sigwait 0` is the same program waiting for a
//! signal (not armed: nothing to clean up); `sigwait-armed` registers one
//! cleanup and takes it back, so the handlers and the watcher thread are in
//! place with nothing to run; `sigwait-stamp` has one cleanup that prints
//! `stamp T` (the monotonic clock) when it runs.

use std::hint::black_box;

use cleanup_benches::{
    Args, args, emit, mark_end_of_main, now_ns, quick_exit, report_exit_elapsed, two_threads,
    wait_for_signal,
};

/// Registers `n` closures that capture nothing.
#[inline(never)]
fn register_plain(n: usize) {
    for _ in 0..n {
        cleanup_runtime::register(|| {});
    }
}

/// Registers `n` closures that each capture a `u64`.
#[inline(never)]
fn register_capture(n: usize) {
    for i in 0..n {
        let value = black_box(i as u64);
        cleanup_runtime::register(move || {
            black_box(value);
        });
    }
}

/// The registration loop without the registration (`loop` mode).
#[inline(never)]
fn register_nothing(n: usize) {
    for i in 0..n {
        black_box(i);
    }
}

fn register_n(args: &Args, n: usize) {
    if args.capture {
        register_capture(n);
    } else {
        register_plain(n);
    }
}

fn main() {
    let args = args();
    // Names the runtime so it is linked (with its constructor) even in the
    // modes that register nothing.
    black_box(cleanup_runtime::report as fn() -> cleanup_runtime::Report);
    match args.mode.as_str() {
        "none" => {}
        "loop" => {
            register_nothing(args.n);
            quick_exit();
        }
        "reg" => {
            register_n(&args, args.n);
            quick_exit();
        }
        "run" => register_n(&args, args.n),
        "time" => {
            let began = now_ns();
            cleanup_runtime::register(report_exit_elapsed);
            register_n(&args, args.n.saturating_sub(1));
            emit(&format!("reg_ns {}", now_ns() - began));
            mark_end_of_main();
        }
        "time2" => {
            let fill = if args.capture {
                register_capture
            } else {
                register_plain
            };
            emit(&format!("reg_ns {}", two_threads(args.n, fill)));
            quick_exit();
        }
        "sigwait" => {
            register_n(&args, args.n);
            wait_for_signal();
        }
        "sigwait-stamp" => {
            cleanup_runtime::register(|| emit(&format!("stamp {}", now_ns())));
            wait_for_signal();
        }
        "sigwait-armed" => {
            assert!(cleanup_runtime::register(|| {}).unregister());
            wait_for_signal();
        }
        other => panic!("unknown mode {other:?}"),
    }
}
