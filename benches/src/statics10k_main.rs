// The `main` of `fx-statics10k` and `fx-statics10k-ordered`, which
// include it after their `generated` module (10,000 functions, from
// build.rs): the programs differ only in what is generated.
//
// Modes:
// - `none`: start, run the 10,000 at exit, end (the process floor).
// - `first-use`: times the first `unregister("")` (which collects and
//   sorts the statics) and a second one; prints `collect_ns T` and
//   `second_ns T`; then ends without running them (`_exit`).
// - `time`: prints `exit_ns`, end of `main` to the last static cleanup,
//   collection at exit included.

use std::sync::atomic::{AtomicBool, Ordering};

use cleanup_benches::{args, emit, mark_end_of_main, now_ns, quick_exit, report_exit_elapsed};

static TIMED: AtomicBool = AtomicBool::new(false);

/// Called by the first declared static, which runs last.
fn last_cleanup() {
    if TIMED.load(Ordering::Relaxed) {
        report_exit_elapsed();
    }
}

fn main() {
    match args().mode.as_str() {
        "none" => {}
        "first-use" => {
            let began = now_ns();
            cleanup_runtime::unregister("");
            let first = now_ns() - began;
            let began = now_ns();
            cleanup_runtime::unregister("");
            let second = now_ns() - began;
            emit(&format!("collect_ns {first}\nsecond_ns {second}"));
            quick_exit();
        }
        "time" => {
            TIMED.store(true, Ordering::Relaxed);
            mark_end_of_main();
        }
        other => panic!("unknown mode {other:?}"),
    }
}
