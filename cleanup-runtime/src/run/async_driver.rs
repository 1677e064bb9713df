//! The runtime that drives async cleanups (feature `tokio`): a
//! current-thread tokio runtime with all drivers, started on a thread of
//! its own the first time an async cleanup runs, and kept for the rest of
//! the process.
//!
//! Why a thread of its own and never the caller's: the cleanup runs on the
//! runner, which may be a worker of the program's runtime (`exit` called
//! inside a task), where `block_on` panics ("Cannot start a runtime from
//! within a runtime"), or the main thread after `#[tokio::main]` dropped the
//! program's runtime, or the signal watcher. So the runner never enters a
//! runtime: it hands the future over and waits on a std channel, which
//! works on any thread.
//!
//! Each future is spawned as a task of its own: a timed one abandoned at its
//! timeout stays on the runtime as a task, and the next async cleanup, a
//! new task, runs beside it (unless the abandoned one blocks the thread
//! without awaiting: see `docs/HAZARDS.md`).
//!
//! Nothing here registers a cleanup or takes the registry lock: the runtime
//! thread is not the runner, and a registration from it during the final run
//! would park it (`registry::intake`).

use std::cell::Cell;
use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};

use tokio::runtime::{Builder, Handle};

use crate::base::descriptor::Outcome;

/// A boxed async cleanup, its output already an outcome.
pub(crate) type AsyncCleanup = Pin<Box<dyn Future<Output = Outcome> + Send + 'static>>;

/// The running runtime's handle, with the process it was started in: a
/// forked child has no runtime thread, and starts its own.
static RUNTIME: Mutex<Option<(u32, Handle)>> = Mutex::new(None);

thread_local! {
    /// Whether this thread is the one that drives the runtime.
    static ON_RUNTIME_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `cleanup` to completion on the crate's runtime and returns its
/// outcome; a panic in it is resumed here, so the run loop's
/// `catch_unwind` reports it as any cleanup's panic.
pub(crate) fn drive(cleanup: AsyncCleanup) -> Outcome {
    // The runtime thread would wait for a task only it can run.
    if ON_RUNTIME_THREAD.get() {
        return Err(
            "an async cleanup cannot run on the runtime thread of async cleanups \
             (`run_now` inside an async cleanup)"
                .to_owned(),
        );
    }
    let handle = match runtime() {
        Ok(handle) => handle,
        Err(error) => {
            return Err(format!(
                "could not start the runtime for async cleanups: {error}"
            ));
        }
    };
    let (sender, receiver) = mpsc::sync_channel(1);
    let task = handle.spawn(cleanup);
    // A second task waits for the first, so that a panic arrives as a
    // `JoinError` rather than ending the runtime thread's `block_on`.
    handle.spawn(async move {
        let _ = sender.send(task.await);
    });
    match receiver.recv() {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) if error.is_panic() => panic::resume_unwind(error.into_panic()),
        Ok(Err(error)) => Err(format!("async cleanup did not finish: {error}")),
        Err(_) => Err("async cleanup did not finish: the runtime thread is gone".to_owned()),
    }
}

/// The handle of this process's runtime, started on first use.
fn runtime() -> std::io::Result<Handle> {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((started_in, handle)) = slot.as_ref()
        && *started_in == pid
    {
        return Ok(handle.clone());
    }
    let handle = start()?;
    *slot = Some((pid, handle.clone()));
    Ok(handle)
}

/// Builds the runtime on a new thread, which then drives it for good (a
/// `block_on` of a future that never ends: spawned tasks run meanwhile).
fn start() -> std::io::Result<Handle> {
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("cleanup-async".to_owned())
        .spawn(move || {
            ON_RUNTIME_THREAD.set(true);
            let runtime = match Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = sender.send(Err(error));
                    return;
                }
            };
            let _ = sender.send(Ok(runtime.handle().clone()));
            runtime.block_on(std::future::pending::<()>());
        })?;
    receiver
        .recv()
        .unwrap_or_else(|_| Err(std::io::Error::other("the runtime thread ended")))
}
