//! Fixture for `tests/abort.rs`, built with the `panic-abort` profile: a
//! panic cannot unwind, so the runtime runs the cleanups from its panic
//! hook before std aborts.
//!
//! `abort_fixture SCENARIO`: `main-panics`, `thread-panics`, or
//! `cleanup-panics` (main returns; a cleanup panics, the others still run
//! and the status stays 0).

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
        other => panic!("unknown scenario {other:?}"),
    }
}
