//! The runtime that drives async cleanups (feature `tokio`): a
//! current-thread tokio runtime with all drivers, started on a thread of
//! its own the first time an async cleanup runs, and kept for the next ones
//! as long as none is left running on it.
//!
//! Why a thread of its own and never the caller's: the cleanup runs on the
//! runner, which may be a worker of the program's runtime (`exit` called
//! inside a task), where `block_on` panics ("Cannot start a runtime from
//! within a runtime"), or the main thread after `#[tokio::main]` dropped the
//! program's runtime, or the signal watcher. So the runner never enters a
//! runtime: it hands the future over and waits on a std channel, which
//! works on any thread.
//!
//! Each future is spawned as a task of its own. One abandoned at its
//! timeout (or by the deadline) stays where it is: it may still finish its
//! work, or it may hold its thread for good (a blocking call, a loop that
//! never awaits), which a current-thread runtime cannot preempt. So the
//! next async cleanup never joins it: a runtime on which a cleanup is still
//! running is retired (its thread is left to that cleanup, as a timed sync
//! cleanup's helper thread is), and the next one gets a fresh runtime on a
//! fresh thread. While every cleanup finishes in time, one runtime serves
//! them all. A cleanup that holds its thread without a timeout holds the
//! run as a sync one would, until the deadline.
//!
//! Nothing here registers a cleanup or takes the registry lock: the runtime
//! thread is not the runner, and a registration from it during the final run
//! would park it (`registry::intake`).
//!
//! In a `panic = "abort"` build a cleanup's panic cannot unwind into the
//! task: it happens on the runtime thread, and our panic hook then calls
//! [`runtime_thread_panicked`]: that runtime is forgotten (its thread stops
//! at its abort for good; the next async cleanup starts a fresh one), and
//! the message goes to the thread waiting for that cleanup, which panics
//! with it in turn: so the panic ends the cleanup wherever it runs exactly
//! as a sync cleanup's panic would (the final run's runner or timed helper,
//! a `run_now`).

use std::cell::Cell;
use std::future::Future;
use std::panic;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use tokio::runtime::{Builder, Handle};
use tokio::task::JoinError;

use crate::base::descriptor::Outcome;
use crate::base::one_shot::{self, Sender};
use crate::base::spawn;

/// A boxed async cleanup, its output already an outcome.
pub(crate) type AsyncCleanup = Pin<Box<dyn Future<Output = Outcome> + Send + 'static>>;

/// The runtime the next async cleanup is spawned on, if there is one it
/// may use.
static RUNTIME: Mutex<Option<Driver>> = Mutex::new(None);

/// Numbers the runtimes, so that a runtime thread knows which one it drives.
static STARTED: AtomicU64 = AtomicU64::new(1);

/// One runtime thread.
struct Driver {
    /// Which one (from [`STARTED`]).
    id: u64,
    /// The process it was started in: a forked child has no runtime
    /// thread, and starts its own.
    pid: u32,
    handle: Handle,
    /// How many cleanups spawned on it have not ended. A later cleanup
    /// finding one there (abandoned at its timeout) gets a fresh runtime.
    running: Arc<AtomicUsize>,
}

/// One of the cleanups counted in [`Driver::running`], until dropped.
struct Running(Arc<AtomicUsize>);

impl Running {
    fn start(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Running(Arc::clone(count))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How an async cleanup ended, for the thread waiting for it.
enum Ended {
    /// Its task ended (a panic here only in an unwinding build).
    Joined(Result<Outcome, JoinError>),
    /// It panicked in a `panic = "abort"` build, with this message; its
    /// runtime thread is stopped for good.
    Panicked(String),
}

thread_local! {
    /// On a thread that drives a runtime, its [`Driver::id`] (0 elsewhere).
    static ON_RUNTIME_THREAD: Cell<u64> = const { Cell::new(0) };
    /// On the runtime thread, while a cleanup's future is polled: where
    /// its outcome goes, for our panic hook.
    static POLLING: Cell<Option<Sender<Ended>>> = const { Cell::new(None) };
    /// On a thread waiting for a cleanup: it is panicking with the message
    /// the hook already passed on from the runtime thread.
    static PANICKING_AGAIN: Cell<bool> = const { Cell::new(false) };
}

/// A cleanup's future, which tells [`POLLING`] whose it is while polled,
/// and counts as running on its runtime until it is ready (or dropped).
struct Tracked {
    cleanup: AsyncCleanup,
    waiter: Option<Sender<Ended>>,
    running: Option<Running>,
}

impl Future for Tracked {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Outcome> {
        let this = &mut *self;
        POLLING.set(this.waiter.take());
        let poll = this.cleanup.as_mut().poll(context);
        this.waiter = POLLING.take();
        if poll.is_ready() {
            // Before its waiter hears of it: the next cleanup may use
            // this runtime.
            this.running = None;
        }
        poll
    }
}

/// Runs `cleanup` to completion on the crate's runtime and returns its
/// outcome; a panic in it is resumed here, so the run loop's
/// `catch_unwind` reports it as any cleanup's panic.
pub(crate) fn drive(cleanup: AsyncCleanup) -> Outcome {
    // The runtime thread would wait for a task only it can run.
    if is_runtime_thread() {
        return Err(
            "an async cleanup cannot run on the runtime thread of async cleanups \
             (`run_now` inside an async cleanup)"
                .to_owned(),
        );
    }
    let (handle, running) = match runtime() {
        Ok(driver) => driver,
        Err(error) => {
            return Err(format!(
                "could not start the runtime for async cleanups: {error}"
            ));
        }
    };
    // Room for the one message: from the task, or from the panic hook.
    let (sender, receiver) = one_shot::channel();
    let task = handle.spawn(Tracked {
        cleanup,
        waiter: Some(sender.clone()),
        running: Some(running),
    });
    // A second task waits for the first, so that a panic arrives as a
    // `JoinError` rather than ending the runtime thread's `block_on`.
    handle.spawn(async move {
        let _ = sender.send(Ended::Joined(task.await));
    });
    match receiver.recv() {
        Some(Ended::Joined(Ok(outcome))) => outcome,
        Some(Ended::Joined(Err(error))) if error.is_panic() => {
            panic::resume_unwind(error.into_panic())
        }
        Some(Ended::Joined(Err(error))) => Err(format!("async cleanup did not finish: {error}")),
        Some(Ended::Panicked(message)) => {
            PANICKING_AGAIN.set(true);
            panic::panic_any(message)
        }
        None => Err("async cleanup did not finish: the runtime thread is gone".to_owned()),
    }
}

/// The final run begins: the runtime kept for the next async cleanup (one
/// that `run_now` started earlier) is not used again; the final run's
/// first async cleanup starts a fresh one, on a thread the final run's
/// runner creates. A thread keeps the per-thread restrictions of the
/// thread that created it (seccomp without TSYNC, Landlock, capabilities,
/// `no_new_privs`), so one started before the program sandboxed itself
/// would run its async cleanups outside the sandbox. The old thread is
/// left blocked, as an abandoned one is.
pub(crate) fn retire_for_final_run() {
    RUNTIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
}

/// Whether the calling thread drives a runtime of async cleanups.
pub(crate) fn is_runtime_thread() -> bool {
    ON_RUNTIME_THREAD.get() != 0
}

/// From our panic hook, on the runtime thread in a `panic = "abort"`
/// build, with the panic's `message`: that thread is about to stop for
/// good, so its runtime is forgotten if it is still the one in use (the
/// next async cleanup starts a fresh one), and the thread waiting for the
/// cleanup being polled is given the message, to panic with it. Returns whether such a thread was
/// waiting (`false`: the panic was in a task the cleanup spawned).
///
/// Waits for nothing: the runtime's lock is held only to read it or while
/// a new runtime thread starts, never while a cleanup runs on one (see
/// [`runtime`]), and the channel has room for this one message, which the
/// cleanup's task will never send.
pub(crate) fn runtime_thread_panicked(message: &str) -> bool {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    if slot
        .as_ref()
        .is_some_and(|driver| driver.id == ON_RUNTIME_THREAD.get())
    {
        *slot = None;
    }
    drop(slot);
    match POLLING.take() {
        Some(waiter) => waiter.send(Ended::Panicked(message.to_owned())),
        None => false,
    }
}

/// From our panic hook: whether this thread's panic only passes on an
/// async cleanup's panic, which the hook already saw on the runtime
/// thread (the program's hook is not told twice).
pub(crate) fn is_panicking_again() -> bool {
    PANICKING_AGAIN.get()
}

/// A runtime for the next cleanup, started if there is none this process
/// may use, and the cleanup's count on it: the one in use unless a cleanup
/// is still running there (abandoned at its timeout, maybe holding the
/// thread for good), else a fresh one, which the next cleanups then use.
fn runtime() -> std::io::Result<(Handle, Running)> {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some(driver) = slot.as_ref()
        && driver.pid == pid
        && driver.running.load(Ordering::SeqCst) == 0
    {
        return Ok((driver.handle.clone(), Running::start(&driver.running)));
    }
    // The one in use (if any) is left to what still runs on it.
    let id = STARTED.fetch_add(1, Ordering::Relaxed);
    let driver = Driver {
        id,
        pid,
        handle: start(id)?,
        running: Arc::new(AtomicUsize::new(0)),
    };
    let started = (driver.handle.clone(), Running::start(&driver.running));
    *slot = Some(driver);
    Ok(started)
}

/// Builds runtime number `id` on a new thread, which then drives it for
/// good (a `block_on` of a future that never ends: spawned tasks run
/// meanwhile).
fn start(id: u64) -> std::io::Result<Handle> {
    let (sender, receiver) = one_shot::channel();
    spawn::named(
        "cleanup-async",
        Box::new(move || {
            ON_RUNTIME_THREAD.set(id);
            let runtime = match Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = sender.send(Err(error));
                    return;
                }
            };
            let _ = sender.send(Ok(runtime.handle().clone()));
            runtime.block_on(std::future::pending::<()>());
        }),
    )?;
    receiver
        .recv()
        .unwrap_or_else(|| Err(std::io::Error::other("the runtime thread ended")))
}
