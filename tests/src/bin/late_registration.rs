//! The late-registration fixture: cleanups registered after the run at
//! exit is over. Runs the one scenario named by `argv[1]`.
//!
//! It declares no static cleanups: those would install the runtime's exit
//! handler before `main`, and these scenarios need a C `atexit` handler
//! installed *before* it (so that it runs after the cleanups).
//!
//! | scenario | what it does |
//! |---|---|
//! | `earlier-atexit` | `libc::atexit(late_handler)`; registers a, b; `std::process::exit(3)`; the handler registers late |
//! | `earlier-atexit-only` | `libc::atexit(late_handler)`; `std::process::exit(3)` with nothing registered before |
//! | `racing-thread` | `libc::atexit(release_thread)`; a thread waits on a pipe; registers a; `std::process::exit(4)`; the handler lets the thread register late-from-thread and waits for it to say so |

use std::io::{PipeReader, PipeWriter, Read, Write};
use std::sync::OnceLock;

use cleanup_tests::{ran, register_ran, say};

fn main() {
    let scenario = std::env::args()
        .nth(1)
        .expect("usage: late_registration SCENARIO");
    match scenario.as_str() {
        "earlier-atexit" => earlier_atexit(true),
        "earlier-atexit-only" => earlier_atexit(false),
        "racing-thread" => racing_thread(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

fn earlier_atexit(register_before: bool) {
    // SAFETY: registers an `extern "C"` function that does not unwind.
    unsafe { libc::atexit(late_handler) };
    if register_before {
        register_ran("a");
        register_ran("b");
    }
    std::process::exit(3);
}

/// Runs after the runtime's exit handler (it was installed before it).
extern "C" fn late_handler() {
    say("late handler");
    cleanup_runtime::register(|| ran("late"));
    say("register returned");
}

/// The two pipes between the exit handler and the racing thread.
static GO: OnceLock<PipeWriter> = OnceLock::new();
static DONE: OnceLock<PipeReader> = OnceLock::new();

fn racing_thread() {
    let (mut go_reader, go_writer) = std::io::pipe().expect("pipe");
    let (done_reader, mut done_writer) = std::io::pipe().expect("pipe");
    assert!(GO.set(go_writer).is_ok() && DONE.set(done_reader).is_ok());
    // SAFETY: registers an `extern "C"` function that does not unwind.
    unsafe { libc::atexit(release_thread) };
    std::thread::spawn(move || {
        let mut byte = [0];
        go_reader.read_exact(&mut byte).expect("go");
        cleanup_runtime::register(|| ran("late-from-thread"));
        say("thread's register returned");
        done_writer.write_all(b".").expect("done");
    });
    register_ran("a");
    std::process::exit(4);
}

/// Runs after the runtime's exit handler: lets the thread register now,
/// and waits until its `register` returned. Plain reads and writes on
/// pipes: the main thread's std-level data may be gone inside `exit`.
extern "C" fn release_thread() {
    say("releasing the thread");
    let mut go = GO.get().expect("go pipe");
    go.write_all(b".").expect("go");
    let mut done = DONE.get().expect("done pipe");
    let mut byte = [0];
    done.read_exact(&mut byte).expect("done");
    say("the thread is done");
}
