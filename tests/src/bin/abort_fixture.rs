//! Fixture for `tests/abort.rs`, built with the `panic-abort` profile: a
//! panic cannot unwind, so the runtime runs the cleanups from its panic
//! hook before std aborts.
//!
//! `abort_fixture SCENARIO`: `main-panics`, `thread-panics`, or
//! `cleanup-panics` (main returns; a cleanup panics, the others still run
//! and the status stays 0); and the corners of the run after a panic:
//!
//! | scenario | what it does |
//! |---|---|
//! | `main-panics-hook-touched` | `main` panics; a cleanup replaces the panic hook |
//! | `timed-cleanup-panics` | `main` returns; a cleanup with a timeout panics |
//! | `thread-panics-during-run` | `main` returns; the first cleanup has another thread panic and waits until the run has seen it |
//! | `abandoned-timed-cleanup-panics` | `main` returns; a cleanup abandoned at its timeout panics while a later one runs |
//! | `async-cleanup-panics` | `main` returns; an async cleanup panics on the runtime thread, between a sync cleanup and a later async one |
//! | `timed-async-cleanup-panics` | the same, the panicking async cleanup with a timeout |

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cleanup_runtime::at_exit;
use cleanup_tests::{ran, say};

#[at_exit]
fn static_cleanup() {
    ran("static");
}

fn main() {
    say(format_args!("panic=abort build: {}", cfg!(panic = "abort")));
    cleanup_runtime::register(|| ran("runtime"));
    match std::env::args().nth(1).unwrap_or_default().as_str() {
        "main-panics" => panic!("main panics"),
        "thread-panics" => {
            let _ = std::thread::spawn(|| panic!("a thread panics")).join();
            say("never reached: the panic aborted the process");
        }
        "cleanup-panics" => {
            cleanup_runtime::register(|| -> () { panic!("a cleanup panics") });
            cleanup_runtime::register(|| ran("last-registered"));
        }
        "main-panics-hook-touched" => {
            cleanup_runtime::register(|| {
                let hook = std::panic::take_hook();
                std::panic::set_hook(hook);
                ran("touches-hook");
            });
            panic!("main panics")
        }
        "timed-cleanup-panics" => {
            // The timeout is long: reaching it is not what is tested.
            let timed = cleanup_runtime::register(|| -> () {
                ran("timed");
                panic!("a timed cleanup panics")
            });
            timed.set_timeout(Duration::from_secs(30));
        }
        "thread-panics-during-run" => {
            cleanup_runtime::register(|| {
                let _panicking = std::thread::spawn(|| panic!("a thread panics during the run"));
                // The run records the coming abort before that thread
                // waits for the run to end; until then it must not end
                // the process.
                while cleanup_runtime::report().signal() != Some(libc::SIGABRT) {
                    std::thread::yield_now();
                }
                ran("saw-the-panic");
            });
        }
        "abandoned-timed-cleanup-panics" => {
            static LATER_RAN: AtomicBool = AtomicBool::new(false);
            static PANIC_SEEN: AtomicBool = AtomicBool::new(false);
            // Replaced by the runtime's own, chained over it, when the run
            // at exit starts.
            std::panic::set_hook(Box::new(|_| PANIC_SEEN.store(true, Ordering::SeqCst)));
            cleanup_runtime::register(|| {
                ran("later");
                LATER_RAN.store(true, Ordering::SeqCst);
                while !PANIC_SEEN.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
            });
            let timed = cleanup_runtime::register(|| -> () {
                ran("timed");
                while !LATER_RAN.load(Ordering::SeqCst) {
                    std::thread::yield_now();
                }
                panic!("an abandoned cleanup panics")
            });
            timed.set_timeout(Duration::from_millis(100));
        }
        scenario @ ("async-cleanup-panics" | "timed-async-cleanup-panics") => {
            cleanup_runtime::register_async(async { ran("later-async") });
            let panics = cleanup_runtime::register_async(async {
                ran("async-panics");
                if true {
                    panic!("an async cleanup panics");
                }
            });
            if scenario == "timed-async-cleanup-panics" {
                // Long: reaching it is not what is tested.
                panics.set_timeout(Duration::from_secs(30));
            }
            cleanup_runtime::register(|| ran("last-registered"));
        }
        other => panic!("unknown scenario {other:?}"),
    }
}
