//! Peer: raw `libc::atexit` from Rust (what a crate writing its own exit
//! hook would do), following the fixture protocol (`cleanup_benches` docs).
//! No closures: a handler is an `extern "C" fn()`.

use std::hint::black_box;

use cleanup_benches::{
    args, emit, mark_end_of_main, now_ns, quick_exit, report_exit_elapsed, two_threads,
};

extern "C" fn nothing() {}

extern "C" fn last() {
    report_exit_elapsed();
}

/// Registers `n` no-op handlers.
#[inline(never)]
fn register(n: usize) {
    for _ in 0..n {
        // Through `black_box`: LLVM deletes `atexit` calls whose handler it
        // can see is empty, which would leave nothing to measure.
        let handler = black_box(nothing as extern "C" fn());
        // SAFETY: registers a handler that does nothing and cannot unwind.
        unsafe { libc::atexit(handler) };
    }
}

fn main() {
    let args = args();
    match args.mode.as_str() {
        "none" => {}
        "loop" => {
            for i in 0..args.n {
                black_box(i);
            }
            quick_exit();
        }
        "reg" => {
            register(args.n);
            quick_exit();
        }
        "run" => register(args.n),
        "time" => {
            let began = now_ns();
            // SAFETY: a handler that only reads the clock and writes a line.
            unsafe { libc::atexit(last) };
            register(args.n.saturating_sub(1));
            emit(&format!("reg_ns {}", now_ns() - began));
            mark_end_of_main();
        }
        "time2" => {
            emit(&format!("reg_ns {}", two_threads(args.n, register)));
            quick_exit();
        }
        other => panic!("unknown mode {other:?}"),
    }
}
