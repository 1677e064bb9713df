//! One `#[at_exit]` function and nothing else: the floor of a program whose
//! only cleanup is declared (its constructor arms the signal handlers and
//! starts the watcher thread before `main`), side by side with `peer-dtor`.
//!
//! Modes: `none` (start, run the one cleanup, exit) and `time` (prints
//! `exit_ns`, from the end of `main` to the cleanup).

use cleanup_benches::{args, mark_end_of_main, report_exit_elapsed};

static TIMED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The one cleanup.
#[cleanup_runtime::at_exit]
fn the_cleanup() {
    if TIMED.load(std::sync::atomic::Ordering::Relaxed) {
        report_exit_elapsed();
    }
}

fn main() {
    if args().mode == "time" {
        TIMED.store(true, std::sync::atomic::Ordering::Relaxed);
        mark_end_of_main();
    }
}
