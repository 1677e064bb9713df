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
//! | [`wait()`] | blocks until shutdown is requested; returns the [`Reason`] |
//! | [`requested()`] | the same as a future: any executor, fits `tokio::select!` |
//! | [`listen()`] | listens without waiting, for a program that polls |
//! | [`is_requested()`] / [`reason()`] | whether it has been requested, and why |
//! | [`is_pending()`] | whether shutdown is coming: fail a readiness check |
//! | [`request()`] | requests it from the program (an admin endpoint, a fatal error) |
//! | [`exit`] | ends the process after the program's clean-up: by the signal that stopped it, if one did |
//! | [`set_delay`] / [`delay()`] | how long after a signal the waiters are woken (default 0; `CLEANUP_SHUTDOWN_DELAY` wins) |
//! | [`set_grace`] / [`grace()`] | how long the program has, once woken, to end on its own (default 10 s; `CLEANUP_GRACE` wins) |
//!
//! # What a signal does
//!
//! Until the program first calls [`wait`], [`requested`] (creating the
//! future is enough, before it is polled) or [`listen`], nothing changes: `SIGINT`,
//! `SIGTERM` and `SIGHUP` run the cleanups and end the process by the
//! signal, as the [crate docs](crate#signals) say. From then on:
//!
//! | what happens | the cleanups | the process ends |
//! |---|---|---|
//! | a handled signal | not yet: [`is_pending()`] is true at once; after the delay (default 0) every waiter is woken and the grace period starts | — |
//! | a second signal during the delay | run, at once | by the second signal |
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
//!             _ = &mut requested => break,
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
//! `SIGKILL`, which nothing survives. The delay, the grace period and then
//! the cleanups' deadline ([`set_deadline`](crate::set_deadline), plus up
//! to 2 s for the report) must all fit inside that time:
//!
//! ```text
//! delay + grace + deadline + 2 s  <  the supervisor's stop timeout
//!
//! systemd:     TimeoutStopSec                  default 90 s
//! Kubernetes:  terminationGracePeriodSeconds   default 30 s (a preStop hook counts against it)
//! Docker:      docker stop --time              default 10 s
//! ```
//!
//! For Kubernetes' default 30 s, for example: `CLEANUP_SHUTDOWN_DELAY=5s`,
//! `CLEANUP_GRACE=15s` and `CLEANUP_DEADLINE=5s` leave 3 s to spare. The
//! default grace of 10 s alone fills Docker's default stop timeout: set a
//! shorter one there. Under systemd (`NOTIFY_SOCKET` set, `Type=notify`)
//! the runtime also tells systemd `STOPPING=1` when shutdown starts, and
//! extends the stop timeout while the cleanups run
//! (`EXTEND_TIMEOUT_USEC`, never beyond the deadline plus 2 s; see the
//! README's Services section for a unit and a pod spec).
//!
//! # The shutdown delay
//!
//! Kubernetes sends `SIGTERM` and takes the pod out of its Service's
//! endpoints at the same time; load balancers keep sending it requests for
//! a few seconds more, and a pod that stops accepting at once refuses
//! them. With a delay ([`set_delay`], `CLEANUP_SHUTDOWN_DELAY=5s`) the
//! first signal only makes [`is_pending()`] true: a readiness check that
//! fails on it takes the pod out of rotation while it keeps serving; the
//! waiters are woken, and the grace period starts, when the delay is over.
//! A second signal during the delay ends the process as a second signal
//! during the grace does. [`request()`] wakes the waiters at once (the
//! program asked); the delay and grace the signal started still run.
//!
//! # A command-line program
//!
//! A loop that polls: [`listen()`] once, [`is_requested()`] in the loop,
//! then its own clean-up, and [`exit`] ends the process by the signal that
//! stopped it (status 130 for Ctrl-C, as shells expect), after the
//! cleanups:
//!
//! ```
//! use cleanup_runtime::shutdown;
//!
//! shutdown::listen();
//! # shutdown::request(); // in a real CLI: Ctrl-C
//! for file in ["a", "b", "c"] {
//!     if shutdown::is_requested() {
//!         eprintln!("interrupted before {file}");
//!         break;
//!     }
//!     // ... process `file` ...
//! }
//! // ... remove partial output ...
//! # if false {
//! shutdown::exit(0) // by the signal if one stopped us; else with status 0
//! # }

mod reason;
mod requested;
mod setting;
mod waiters;

use std::time::Duration;

use crate::base::{ending, listening};

pub use reason::Reason;
pub use requested::Requested;
#[cfg(unix)]
pub(crate) use waiters::{Waiters, forget_in_fork_child, lock_for_fork};

/// Blocks the calling thread until shutdown is requested: by a handled
/// `SIGINT`, `SIGTERM` or `SIGHUP`, or by [`request`]. Returns at once if
/// it has been already. Returns why ([`Reason`]).
///
/// The first call (or the first [`requested`] or [`listen`]) makes the
/// program a listener: from then on a signal wakes the waiters and starts
/// the grace period instead of the cleanups (see the [module docs](self)).
///
/// ```
/// use std::thread;
///
/// use cleanup_runtime::shutdown::{self, Reason};
///
/// let waiter = thread::spawn(|| {
///     let reason = shutdown::wait();
///     println!("draining ({reason})");
///     reason
/// });
/// shutdown::request(); // or SIGTERM
/// assert_eq!(waiter.join().unwrap(), Reason::Requested);
/// ```
pub fn wait() -> Reason {
    listen();
    waiters::wait();
    reason().unwrap_or(Reason::Requested)
}

/// A future that completes when shutdown is requested, as [`wait`] does,
/// with the [`Reason`].
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
/// use cleanup_runtime::shutdown::{self, Reason};
///
/// let shutdown = shutdown::requested(); // listening from here on
/// std::thread::spawn(shutdown::request); // or SIGTERM
/// // with tokio: `shutdown.await`, or a branch of `select!`
/// assert_eq!(block_on(shutdown), Reason::Requested);
/// ```
pub fn requested() -> Requested {
    listen();
    Requested::new()
}

/// Makes the program a listener without waiting: for a program that polls
/// [`is_requested()`] (a command-line loop) rather than blocking in
/// [`wait`] or awaiting [`requested`]. From here on a handled signal
/// requests shutdown instead of running the cleanups at once (see the
/// [module docs](self)); calling it again does nothing.
///
/// It also sets the runtime up as a first cleanup would, even if the
/// program has none yet: the signal handlers, so a signal is heard; the
/// exit hook, so the report says how the shutdown went on every path; and
/// the `fork` handlers, so a forked worker that listens is woken as its
/// parent would be.
///
/// ```
/// use cleanup_runtime::shutdown;
///
/// shutdown::listen(); // Ctrl-C no longer ends the program at once
/// let mut done = 0;
/// while done < 1_000 && !shutdown::is_requested() {
///     done += 1; // one step of the work
/// }
/// ```
pub fn listen() {
    if !listening::is_listening() {
        listening::start();
        crate::registry::first_use::ensure();
    }
}

/// Whether shutdown has been requested (by a signal the program listened
/// for, or by [`request`]): the waiters have been woken. Does not make the
/// program a listener.
///
/// ```
/// assert!(!cleanup_runtime::shutdown::is_requested());
/// cleanup_runtime::shutdown::request();
/// assert!(cleanup_runtime::shutdown::is_requested());
/// ```
#[must_use]
pub fn is_requested() -> bool {
    waiters::is_requested()
}

/// Why shutdown was requested, once it has been ([`is_requested`]): for a
/// program that polls. `None` before.
///
/// ```
/// use cleanup_runtime::shutdown::{self, Reason};
///
/// assert_eq!(shutdown::reason(), None);
/// shutdown::request();
/// assert_eq!(shutdown::reason(), Some(Reason::Requested));
/// ```
#[must_use]
pub fn reason() -> Option<Reason> {
    waiters::reason().map(|signal| signal.map_or(Reason::Requested, Reason::Signal))
}

/// Whether shutdown is coming: a signal the program listens for has
/// arrived (from the moment its handler ran, before any delay is over and
/// before the waiters are woken), or shutdown was requested. It stays true.
/// A readiness check fails on it, so a load balancer stops sending
/// requests while the program still serves them (see
/// [the shutdown delay](self#the-shutdown-delay)).
///
/// ```
/// use cleanup_runtime::shutdown;
///
/// let ready = || !shutdown::is_pending(); // a readiness endpoint
/// shutdown::listen();
/// assert!(ready());
/// shutdown::request(); // or SIGTERM: true at once, whatever the delay
/// assert!(!ready());
/// ```
#[must_use]
pub fn is_pending() -> bool {
    listening::request_signal().is_some() || waiters::is_requested()
}

/// Requests shutdown from the program itself — an admin endpoint, a fatal
/// error in one part that the rest must drain for: every waiter is woken
/// at once, whatever the delay. No grace period starts: the program asked,
/// and ends when it is ready. A second call does nothing, and a request
/// after a signal's leaves the [`Reason`] the signal.
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

/// Ends the process the way a program stopped by a signal should, once it
/// has done its own clean-up: if a signal requested shutdown
/// ([`Reason::Signal`]), the cleanups run and the process ends by that
/// signal (the default action restored and the signal raised again), so
/// the shell sees 128 + its number (130 for Ctrl-C) and a supervisor sees
/// the death by the signal; otherwise (shutdown requested by the program,
/// or not at all) it is [`cleanup_runtime::exit(status)`](crate::exit).
///
/// The cleanups run once either way, as for `cleanup_runtime::exit`. Call
/// it from the program, not from a cleanup (there, the process is ending
/// already).
///
/// ```no_run
/// use cleanup_runtime::shutdown;
///
/// shutdown::listen();
/// while !shutdown::is_requested() {
///     // ... work ...
/// }
/// // ... the program's own clean-up ...
/// shutdown::exit(1) // dies by SIGINT after Ctrl-C; status 1 after request()
/// ```
pub fn exit(status: i32) -> ! {
    let status = match reason() {
        Some(Reason::Signal(signal)) => {
            // The run at exit adopts it, and ends the process by it once
            // the cleanups are done; the status is for where that fails.
            ending::record_ending_signal(signal);
            128 + signal
        }
        _ => status,
    };
    ending::note_exit_status(status);
    #[cfg(windows)]
    {
        crate::base::diagnostics::flush_stdout_if_free();
        // SAFETY: the C runtime's `exit` runs its `atexit` handlers (ours
        // runs the cleanups) and ends the process; it may be called from
        // any thread.
        unsafe { libc::exit(status) }
    }
    #[cfg(not(windows))]
    std::process::exit(status)
}

/// Sets how long a listening program has, after the signal that requested
/// shutdown (once the [delay](set_delay) is over and the waiters are woken),
/// to end on its own before the cleanups run and the process ends by the
/// signal. Default 10 s. `Duration::ZERO`: the cleanups start when the
/// waiters are woken.
///
/// There is no "unbounded": a supervisor always ends a stopped process
/// with `SIGKILL` in the end, which no cleanup survives, so a grace longer
/// than its timeout only trades the cleanups for nothing. A very long one
/// (`Duration::MAX`) is taken as it is.
///
/// The `CLEANUP_GRACE` environment variable (`500ms`, `20s`, `1m 30s`),
/// when set, wins over this, as `CLEANUP_DEADLINE` wins over
/// [`set_deadline`](crate::set_deadline); a malformed value gets one line
/// on stderr and is ignored. Both are read when the signal arrives. Keep
/// delay + grace + deadline + 2 s under the supervisor's stop timeout (see
/// the [module docs](self#fitting-the-supervisors-timeout)).
///
/// ```
/// use std::time::Duration;
///
/// // Kubernetes' default terminationGracePeriodSeconds is 30 s.
/// cleanup_runtime::shutdown::set_grace(Duration::from_secs(20));
/// cleanup_runtime::set_deadline(Some(Duration::from_secs(5)));
/// ```
pub fn set_grace(grace: Duration) {
    setting::GRACE.set(grace);
}

/// The grace period in effect: `CLEANUP_GRACE` when set and valid, else
/// what [`set_grace`] set, else 10 s.
///
/// ```
/// use std::time::Duration;
///
/// cleanup_runtime::shutdown::set_grace(Duration::from_secs(20));
/// # if std::env::var_os("CLEANUP_GRACE").is_none() {
/// assert_eq!(cleanup_runtime::shutdown::grace(), Duration::from_secs(20));
/// # }
/// ```
#[must_use]
pub fn grace() -> Duration {
    setting::GRACE.in_effect()
}

/// Sets the shutdown delay: how long after the first signal a listening
/// program's waiters are woken (and its grace period starts). Meanwhile
/// [`is_pending()`] is true, so a readiness check fails while the program
/// still serves. Default 0: woken at the signal.
///
/// The `CLEANUP_SHUTDOWN_DELAY` environment variable (`5s`, `500ms`), when
/// set, wins over this; a malformed value gets one line on stderr and is
/// ignored. Read when the signal arrives. A second signal during the delay
/// runs the cleanups at once and ends the process by it; [`request()`]
/// wakes the waiters at once.
///
/// ```
/// use std::time::Duration;
///
/// // Behind a Kubernetes Service: long enough for the endpoint removal to
/// // reach the load balancers.
/// cleanup_runtime::shutdown::set_delay(Duration::from_secs(5));
/// ```
pub fn set_delay(delay: Duration) {
    setting::DELAY.set(delay);
}

/// The shutdown delay in effect: `CLEANUP_SHUTDOWN_DELAY` when set and
/// valid, else what [`set_delay`] set, else 0.
///
/// ```
/// use std::time::Duration;
///
/// cleanup_runtime::shutdown::set_delay(Duration::from_millis(500));
/// # if std::env::var_os("CLEANUP_SHUTDOWN_DELAY").is_none() {
/// assert_eq!(cleanup_runtime::shutdown::delay(), Duration::from_millis(500));
/// # }
/// ```
#[must_use]
pub fn delay() -> Duration {
    setting::DELAY.in_effect()
}

/// From the thread acting on signals (`process::grace_wait`), as a
/// listening program's first `signal` arrives: the delay that starts now.
pub(crate) fn delay_for_signal() -> Duration {
    setting::DELAY.for_signal()
}

/// From the thread acting on signals (`process::grace_wait`), once the
/// delay after `signal` is over: wakes every waiter and returns the grace
/// period that starts now.
pub(crate) fn requested_by_signal(signal: i32) -> Duration {
    waiters::request_from_watcher(signal);
    setting::GRACE.for_signal()
}
