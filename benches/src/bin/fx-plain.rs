//! The same program without the runtime: the baseline of the process floor
//! (`none`) and of the signal latency (`sigwait`: the default disposition;
//! `sigwait-thread`: the same with one idle extra thread, as a control for
//! the runtime's watcher thread).
//! It never names `cleanup_runtime`, so the runtime is not linked.

use std::hint::black_box;

use cleanup_benches::{args, quick_exit, wait_for_signal};

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
        "sigwait" => wait_for_signal(),
        "sigwait-thread" => {
            // A control for the runtime's watcher thread: one more thread,
            // blocked for good, and the default disposition.
            std::thread::spawn(|| {
                loop {
                    std::thread::park();
                }
            });
            wait_for_signal();
        }
        other => panic!("unknown mode {other:?}"),
    }
}
