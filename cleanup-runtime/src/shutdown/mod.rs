//! Shutdown requests for services: be told, drain, then let the cleanups
//! run.
//!
//! (Layer: the public `cleanup_runtime::shutdown`. May use `base/` (whether
//! the program listens) and `registry/` (`first_use::ensure`: a first
//! listen sets the runtime up as a first cleanup does). Used by
//! `process/`, whose thread acting on a signal wakes the waiters and keeps
//! the grace period, and by `lib.rs`, which makes it public.)
//!
//! A server, worker or daemon under systemd, Kubernetes or Docker is
//! stopped with `SIGTERM`, given a while, then `SIGKILL`ed. Without
//! listening, a `SIGTERM` starts the cleanups at once on the signal watcher
//! thread while the program's own threads keep serving, and a cleanup may
//! close a pool that a request handler is still using. A program that
//! listens is told instead, drains, and ends on its own; the cleanups then
//! run on that path, after the drain, and the exit status is the program's.
//!
//! | call | what it does |
//! |---|---|
//! | [`wait()`] | blocks until shutdown is requested |
//! | [`requested()`] | the same as a future: any executor, fits `tokio::select!` |
//! | [`is_requested()`] | whether it has been requested |
//! | [`request()`] | requests it from the program (an admin endpoint, a fatal error) |
//! | [`set_grace`] | how long the program has after a signal (default 10 s; `CLEANUP_GRACE` wins) |
//!
//! # What a signal does
//!
//! Until the program first calls [`wait`] or [`requested`] (creating the
//! future is enough, before it is polled), nothing changes: `SIGINT`,
//! `SIGTERM` and `SIGHUP` run the cleanups and end the process by the
//! signal, as the [crate docs](crate#signals) say. From then on:
//!
//! | what happens | the cleanups | the process ends |
//! |---|---|---|
//! | a handled signal | not yet: every waiter is woken and the grace period starts | — |
//! | the program ends within the grace (returns from `main`, `exit`) | run, on that path | with the program's status |
//! | the grace passes | run | by the signal, as if nobody listened |
//! | a second signal during the grace | run, at once | by the second signal |
//! | a second signal while the cleanups run (the request was the first) | cut short | by that signal, at once |
//! | the first signal while the cleanups run (the program ended on its own, or after `request()`) | finish, bounded by the deadline | by that signal |
//! | [`request()`] | not yet: every waiter is woken, no timer starts | when the program ends |
//!
//! Listening also sets the runtime up as a first cleanup would when the
//! program has none yet (the signal handling, the exit hook, so the report
//! is written on every path, and the `fork` handlers). A forked child does
//! not inherit its parent's listening: a pre-fork worker that listens
//! itself is woken by its own signals, and shutdown is not requested in it
//! whatever its parent was told. Signals the program handles itself or that its parent ignored are
//! left alone as always, so they wake nobody; so does
//! `CLEANUP_SIGNALS=off`. The report's `shutdown_signal` is the first
//! handled signal that arrived, whether anyone listened or not.
//!
//! # A tokio service
//!
//! Stop accepting when shutdown is requested, let the requests in flight
//! finish, and return; the cleanups (a temp dir, a pid file, a flushed
//! log) run after `main` returns. `examples/server.rs` is a whole one.
//!
//! ```
//! use cleanup_runtime::shutdown;
//! use tokio::net::{TcpListener, TcpStream};
//! use tokio::task::JoinSet;
//!
//! async fn serve(stream: TcpStream) {
//!     // read the request, write the response
//! #   drop(stream);
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let mut connections = JoinSet::new();
//!     let mut requested = shutdown::requested(); // listening from here on
//! #   shutdown::request(); // in a real service: SIGTERM
//!     loop {
//!         tokio::select! {
//!             () = &mut requested => break,
//!             accepted = listener.accept() => {
//!                 connections.spawn(serve(accepted?.0));
//!             }
//!         }
//!     }
//!     drop(listener); // stop accepting
//!     while connections.join_next().await.is_some() {} // drain
//!     Ok(()) // the cleanups run now
//! }
//! ```
//!
//! # A thread-based service
//!
//! The same with [`wait()`]: a thread blocks in it while the workers run,
//! then tells them to stop and joins them.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicBool, Ordering};
//! use std::thread;
//!
//! use cleanup_runtime::shutdown;
//!
//! let stop = Arc::new(AtomicBool::new(false));
//! let worker = thread::spawn({
//!     let stop = Arc::clone(&stop);
//!     move || {
//!         while !stop.load(Ordering::Relaxed) {
//!             // ... take a job, finish it ...
//!             # shutdown::request(); // in a real service: SIGTERM
//!         }
//!     }
//! });
//! shutdown::wait(); // until SIGTERM, SIGINT, SIGHUP or `request()`
//! stop.store(true, Ordering::Relaxed);
//! worker.join().unwrap(); // drained
//! // returning from `main` runs the cleanups, with `main`'s status
//! ```
//!
//! # Fitting the supervisor's timeout
//!
//! After its stop signal a supervisor waits a fixed time, then sends
//! `SIGKILL`, which nothing survives. The grace period and then the
//! cleanups' deadline ([`set_deadline`](crate::set_deadline), plus up to
//! 2 s for the report) must fit inside it:
//!
//! ```text
//! grace + deadline + 2 s  <  TimeoutStopSec (systemd, default 90 s)
//!                         <  terminationGracePeriodSeconds (Kubernetes, default 30 s,
//!                            counted from the start of a preStop hook)
//!                         <  docker stop --time (default 10 s)
//! ```
//!
//! For Kubernetes' default 30 s, for example: `CLEANUP_GRACE=20s` and
//! `CLEANUP_DEADLINE=5s` leave 3 s to spare. The default grace of 10 s
//! alone fills Docker's default stop timeout: set a shorter one there.

mod grace_setting;
mod requested;
mod waiters;

use std::time::Duration;

use crate::base::listening;

pub use requested::Requested;
#[cfg(unix)]
pub(crate) use waiters::{Waiters, forget_in_fork_child, lock_for_fork};

/// Blocks the calling thread until shutdown is requested: by a handled
/// `SIGINT`, `SIGTERM` or `SIGHUP`, or by [`request`]. Returns at once if
/// it has been already.
///
/// The first call (or the first [`requested`]) makes the program a
/// listener: from then on a signal wakes the waiters and starts the grace
/// period instead of the cleanups (see the [module docs](self)).
///
/// ```
/// use std::thread;
///
/// let waiter = thread::spawn(|| {
///     cleanup_runtime::shutdown::wait();
///     println!("draining");
/// });
/// cleanup_runtime::shutdown::request(); // or SIGTERM
/// waiter.join().unwrap();
/// ```
pub fn wait() {
    listen();
    waiters::wait();
}

/// A future that completes when shutdown is requested, as [`wait`] does.
///
/// Calling this makes the program a listener, before the future is polled
/// (so a signal that arrives before the first poll is not lost). The future
/// works on any executor and fits `tokio::select!`; see [`Requested`].
///
/// ```
/// # fn block_on<F: std::future::Future>(future: F) -> F::Output {
/// #     let mut future = std::pin::pin!(future);
/// #     let mut context = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop {
/// #         if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut context) {
/// #             return out;
/// #         }
/// #         std::thread::yield_now();
/// #     }
/// # }
/// let shutdown = cleanup_runtime::shutdown::requested(); // listening from here on
/// std::thread::spawn(cleanup_runtime::shutdown::request); // or SIGTERM
/// block_on(shutdown); // with tokio: `shutdown.await`, or a branch of `select!`
/// ```
pub fn requested() -> Requested {
    listen();
    Requested::new()
}

/// Whether shutdown has been requested (by a signal the program listened
/// for, or by [`request`]). Does not make the program a listener.
///
/// ```
/// assert!(!cleanup_runtime::shutdown::is_requested());
/// cleanup_runtime::shutdown::request();
/// assert!(cleanup_runtime::shutdown::is_requested());
/// ```
pub fn is_requested() -> bool {
    waiters::is_requested()
}

/// Requests shutdown from the program itself — an admin endpoint, a fatal
/// error in one part that the rest must drain for: every waiter is woken.
/// No grace period starts: the program asked, and ends when it is ready.
/// A second call does nothing.
///
/// ```
/// let shutdown = cleanup_runtime::shutdown::requested();
/// cleanup_runtime::shutdown::request();
/// assert!(cleanup_runtime::shutdown::is_requested());
/// # drop(shutdown);
/// ```
pub fn request() {
    waiters::request();
}

/// Sets how long a listening program has, after the signal that requested
/// shutdown, to end on its own before the cleanups run and the process
/// ends by the signal. Default 10 s. `Duration::ZERO`: the cleanups start
/// at the signal (the waiters are still woken).
///
/// The `CLEANUP_GRACE` environment variable (`500ms`, `20s`, `1m 30s`),
/// when set, wins over this, as `CLEANUP_DEADLINE` wins over
/// [`set_deadline`](crate::set_deadline); a malformed value gets one line
/// on stderr and is ignored. Both are read when the signal arrives. Keep
/// grace + deadline + 2 s under the supervisor's stop timeout (see the
/// [module docs](self#fitting-the-supervisors-timeout)).
///
/// ```
/// use std::time::Duration;
///
/// // Kubernetes' default terminationGracePeriodSeconds is 30 s.
/// cleanup_runtime::shutdown::set_grace(Duration::from_secs(20));
/// cleanup_runtime::set_deadline(Some(Duration::from_secs(5)));
/// ```
pub fn set_grace(grace: Duration) {
    grace_setting::set(grace);
}

/// Makes the program a listener, and sets the runtime up as a first
/// cleanup would, even if it has none yet: the signal handlers, so a
/// signal reaches the waiters; the exit hook, so the report says how the
/// shutdown went on every path; and the `fork` handlers, so a forked
/// worker that listens is woken as its parent would be.
fn listen() {
    if !listening::is_listening() {
        listening::start();
        crate::registry::first_use::ensure();
    }
}

/// From the thread acting on signals (`process::grace_wait`), after the
/// handler took a signal as the shutdown request: wakes every waiter and returns the grace period that
/// starts now.
pub(crate) fn requested_by_signal() -> Duration {
    waiters::request_from_watcher();
    grace_setting::for_signal()
}
