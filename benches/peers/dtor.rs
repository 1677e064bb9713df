//! Peer: Rust's `dtor` crate, one `#[dtor]` function (run from
//! `.fini_array` by `exit`). No registry, no report, no signals: the floor
//! that `fx-static1` (one `#[at_exit]`) is compared against.
//!
//! Modes: `none` and `time` (prints `exit_ns`, end of `main` to the dtor).

use std::sync::atomic::{AtomicBool, Ordering};

use cleanup_benches::{args, mark_end_of_main, report_exit_elapsed};

static TIMED: AtomicBool = AtomicBool::new(false);

/// The one destructor. Plain libc work only (it runs after std's exit
/// handling), which `report_exit_elapsed` is.
#[dtor::dtor(unsafe)]
fn the_cleanup() {
    if TIMED.load(Ordering::Relaxed) {
        report_exit_elapsed();
    }
}

fn main() {
    if args().mode == "time" {
        TIMED.store(true, Ordering::Relaxed);
        mark_end_of_main();
    }
}
