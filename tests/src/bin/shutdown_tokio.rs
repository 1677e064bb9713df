//! The shutdown fixture for tokio programs: `shutdown::requested()` as a
//! branch of `tokio::select!` in the main task (the loop ticks meanwhile),
//! and awaited in a spawned task. Registers cleanups a, b; says `ready`
//! once it listens; on shutdown says `left the loop`, waits for the task
//! (`task woken`), says `drained` and returns from `main`.

use std::time::Duration;

use cleanup_runtime::shutdown;
use cleanup_tests::{register_ran, say};

#[tokio::main]
async fn main() {
    register_ran("a");
    register_ran("b");
    let task = tokio::spawn(async {
        shutdown::requested().await;
        say("task woken");
    });
    let mut requested = shutdown::requested();
    let mut ticks = tokio::time::interval(Duration::from_millis(5));
    say("ready");
    loop {
        tokio::select! {
            _ = &mut requested => break,
            _ = ticks.tick() => {}
        }
    }
    say("left the loop");
    task.await.expect("the task");
    say("drained");
}
