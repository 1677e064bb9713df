//! Async cleanups (feature `tokio`): `register_async`, `#[at_exit] async
//! fn` and `#[cleanup(...)] async fn`, run on every path.
//!
//! Usage: `async_cleanups SCENARIO PORT`. Each async cleanup that "sends"
//! connects to `127.0.0.1:PORT` (the test's listener), writes its name and
//! a newline, closes, then says `ran NAME`; sync ones only say `ran NAME`.
//!
//! The statics, in every scenario (they run last, in reverse source order):
//! `static-stuck` (timeout 300ms; never finishes in `timeout`), then
//! `static-failing` (`Err` in `errors`), then `static-at-exit` (sends).
//!
//! Scenarios:
//! - `normal`: sync s1, async a1, sync s2, async a2; `main` returns from
//!   `#[tokio::main]`.
//! - `exit_in_task`: async a1; `std::process::exit(0)` inside a spawned task.
//! - `sigterm`: async a1; says `ready` and waits for the signal.
//! - `timeout`: async a-late, then an async one that never finishes with
//!   `Handle::set_timeout(300ms)`; returns.
//! - `held_thread`: async a-on-time, then a-spinning (loops without ever
//!   awaiting) and a-blocking (blocks its thread for good), each with
//!   `Handle::set_timeout(300ms)`; returns. Run, in reverse: a-blocking,
//!   a-spinning, a-on-time.
//! - `errors`: an async cleanup returning `Err("async failed")`, one
//!   panicking `"async panicked"`; returns.
//! - `deadline`: sync s1, then an async cleanup that never finishes and
//!   has no timeout of its own; the test sets `CLEANUP_DEADLINE`.
//! - `lazy`: a sync cleanup that says `runtime thread: BOOL` (whether a
//!   thread named `cleanup-async` exists), async a1, then the same sync
//!   check: the check registered last runs first, before any async one.
//! - `run_now`: async a1, then `run_now()` from inside the program's
//!   (current-thread) runtime; says `run_now done: N` (N entries); returns.
//! - `nested`: `run_now()` runs an async cleanup that registers another
//!   and calls `run_now` on the runtime thread, and says `nested: STATUS
//!   ERROR` of that one (an error, not a wait for good).

use std::time::Duration;

use cleanup_runtime::{at_exit, cleanup};
use cleanup_tests::{ran, register_ran, say};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

fn arg(index: usize) -> String {
    std::env::args().nth(index).unwrap_or_default()
}

/// Connects to the test's listener, writes `name`, closes, says `ran NAME`.
async fn send(name: &str) -> std::io::Result<()> {
    let port: u16 = arg(2).parse().expect("PORT");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.write_all(format!("{name}\n").as_bytes()).await?;
    stream.shutdown().await?;
    ran(name);
    Ok(())
}

#[at_exit]
async fn static_at_exit() -> std::io::Result<()> {
    send("static-at-exit").await
}

#[cleanup(name = "static-failing")]
async fn static_failing() -> Result<(), String> {
    ran("static-failing");
    if arg(1) == "errors" {
        return Err("static async failed".to_owned());
    }
    Ok(())
}

#[cleanup(name = "static-stuck", timeout = "300ms")]
async fn static_stuck() {
    ran("static-stuck");
    if arg(1) == "timeout" {
        std::future::pending::<()>().await;
    }
}

fn main() {
    match arg(1).as_str() {
        "run_now" | "nested" => run_now_inside_runtime(),
        _ => in_runtime(),
    }
}

#[tokio::main]
async fn in_runtime() {
    match arg(1).as_str() {
        "normal" => {
            register_ran("s1");
            cleanup_runtime::register_async(send("a1"));
            register_ran("s2");
            cleanup_runtime::register_async(send("a2"));
        }
        "exit_in_task" => {
            cleanup_runtime::register_async(send("a1"));
            tokio::spawn(async { std::process::exit(0) })
                .await
                .expect("the task");
        }
        "sigterm" => {
            cleanup_runtime::register_async(send("a1"));
            say("ready");
            std::future::pending::<()>().await;
        }
        "timeout" => {
            cleanup_runtime::register_async(send("a-late"));
            let stuck = cleanup_runtime::register_async(async {
                ran("a-stuck");
                std::future::pending::<()>().await;
            });
            assert!(stuck.set_timeout(Duration::from_millis(300)));
        }
        "held_thread" => {
            cleanup_runtime::register_async(send("a-on-time"));
            let spinning = cleanup_runtime::register_async(async {
                ran("a-spinning");
                spin_forever();
            });
            assert!(spinning.set_timeout(Duration::from_millis(300)));
            let blocking = cleanup_runtime::register_async(async {
                ran("a-blocking");
                block_forever();
            });
            assert!(blocking.set_timeout(Duration::from_millis(300)));
        }
        "errors" => {
            cleanup_runtime::register_async(async { Err::<(), _>("async failed") });
            cleanup_runtime::register_async(async {
                if true {
                    panic!("async panicked");
                }
            });
        }
        "deadline" => {
            register_ran("s1");
            cleanup_runtime::register_async(async {
                ran("a-forever");
                std::future::pending::<()>().await;
            });
        }
        "lazy" => {
            cleanup_runtime::register(say_runtime_thread);
            cleanup_runtime::register_async(send("a1"));
            cleanup_runtime::register(say_runtime_thread);
        }
        other => panic!("unknown scenario {other:?}"),
    }
}

/// Keeps the thread busy for good, never returning to the runtime.
fn spin_forever() {
    loop {
        std::hint::spin_loop();
    }
}

/// Blocks the thread for good.
fn block_forever() {
    loop {
        std::thread::park();
    }
}

/// Says whether the crate's runtime thread (`cleanup-async`) exists, from
/// `/proc/self/task/*/comm`.
fn say_runtime_thread() {
    let exists = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(Result::ok)
        .any(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.trim_end() == "cleanup-async")
        });
    say(format_args!("runtime thread: {exists}"));
}

#[tokio::main(flavor = "current_thread")]
async fn run_now_inside_runtime() {
    if arg(1) == "nested" {
        cleanup_runtime::register_async(nested_run_now());
        cleanup_runtime::run_now();
        return;
    }
    cleanup_runtime::register_async(send("a1"));
    let report = cleanup_runtime::run_now();
    say(format_args!("run_now done: {}", report.entries().len()));
}

async fn nested_run_now() {
    cleanup_runtime::register_async(async {});
    let nested = cleanup_runtime::run_now();
    let entry = &nested.entries()[0];
    say(format_args!(
        "nested: {:?} {}",
        entry.status(),
        entry.error().unwrap_or_default()
    ));
}
