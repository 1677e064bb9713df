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
//!
//! In a `panic = "abort"` build a cleanup's panic cannot unwind into the
//! task: it happens on the runtime thread, and our panic hook
//! (`process::panic_watch`) then calls [`runtime_thread_panicked`]: the
//! runtime is forgotten (that thread stops at its abort for good; the next
//! async cleanup starts a fresh one), and the message goes to the thread
//! waiting for that cleanup, which panics with it in turn: so the panic
//! ends the cleanup wherever it runs exactly as a sync cleanup's panic
//! would (the final run's runner or timed helper, a `run_now`).

use std::cell::Cell;
use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinError;

use crate::base::descriptor::Outcome;

/// A boxed async cleanup, its output already an outcome.
pub(crate) type AsyncCleanup = Pin<Box<dyn Future<Output = Outcome> + Send + 'static>>;

/// The running runtime's handle, with the process it was started in: a
/// forked child has no runtime thread, and starts its own.
static RUNTIME: Mutex<Option<(u32, Handle)>> = Mutex::new(None);

/// How an async cleanup ended, for the thread waiting for it.
enum Ended {
    /// Its task ended (a panic here only in an unwinding build).
    Joined(Result<Outcome, JoinError>),
    /// It panicked in a `panic = "abort"` build, with this message; its
    /// runtime thread is stopped for good.
    Panicked(String),
}

thread_local! {
    /// Whether this thread is the one that drives the runtime.
    static ON_RUNTIME_THREAD: Cell<bool> = const { Cell::new(false) };
    /// On the runtime thread, while a cleanup's future is polled: where
    /// its outcome goes, for our panic hook.
    static POLLING: Cell<Option<SyncSender<Ended>>> = const { Cell::new(None) };
    /// On a thread waiting for a cleanup: it is panicking with the message
    /// the hook already passed on from the runtime thread.
    static PANICKING_AGAIN: Cell<bool> = const { Cell::new(false) };
}

/// A cleanup's future, which tells [`POLLING`] whose it is while polled.
struct Tracked {
    cleanup: AsyncCleanup,
    waiter: Option<SyncSender<Ended>>,
}

impl Future for Tracked {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Outcome> {
        let this = &mut *self;
        POLLING.set(this.waiter.take());
        let poll = this.cleanup.as_mut().poll(context);
        this.waiter = POLLING.take();
        poll
    }
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
    // Room for the one message: from the task, or from the panic hook.
    let (sender, receiver) = mpsc::sync_channel(1);
    let task = handle.spawn(Tracked {
        cleanup,
        waiter: Some(sender.clone()),
    });
    // A second task waits for the first, so that a panic arrives as a
    // `JoinError` rather than ending the runtime thread's `block_on`.
    handle.spawn(async move {
        let _ = sender.send(Ended::Joined(task.await));
    });
    match receiver.recv() {
        Ok(Ended::Joined(Ok(outcome))) => outcome,
        Ok(Ended::Joined(Err(error))) if error.is_panic() => {
            panic::resume_unwind(error.into_panic())
        }
        Ok(Ended::Joined(Err(error))) => Err(format!("async cleanup did not finish: {error}")),
        Ok(Ended::Panicked(message)) => {
            PANICKING_AGAIN.set(true);
            panic::panic_any(message)
        }
        Err(_) => Err("async cleanup did not finish: the runtime thread is gone".to_owned()),
    }
}

/// Whether the calling thread drives the runtime of async cleanups.
pub(crate) fn is_runtime_thread() -> bool {
    ON_RUNTIME_THREAD.get()
}

/// From our panic hook, on the runtime thread in a `panic = "abort"`
/// build, with the panic's `message`: that thread is about to stop for
/// good, so the runtime is forgotten (the next async cleanup starts a
/// fresh one), and the thread waiting for the cleanup being polled is
/// given the message, to panic with it. Returns whether such a thread was
/// waiting (`false`: the panic was in a task the cleanup spawned).
///
/// Waits for nothing: the runtime's lock is held only to read it or while
/// a new runtime thread starts, never while a cleanup runs on one (see
/// [`runtime`]), and the channel has room for this one message, which the
/// cleanup's task will never send.
pub(crate) fn runtime_thread_panicked(message: &str) -> bool {
    *RUNTIME.lock().unwrap_or_else(PoisonError::into_inner) = None;
    match POLLING.take() {
        Some(waiter) => waiter.try_send(Ended::Panicked(message.to_owned())).is_ok(),
        None => false,
    }
}

/// From our panic hook: whether this thread's panic only passes on an
/// async cleanup's panic, which the hook already saw on the runtime
/// thread (the program's hook is not told twice).
pub(crate) fn is_panicking_again() -> bool {
    PANICKING_AGAIN.get()
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
