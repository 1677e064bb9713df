//! The one way up: every call a lower layer makes into `process/`, the
//! layer that ends the process, goes through the table [`Upward`].
//!
//! Lazy set-up makes the lowest layer trigger the highest: the first
//! registration (in `registry/`) must install the exit hook, the panic hook
//! and the signal handlers (in `process/` and `signals/`), and the signal
//! watcher must start the final run. Rather than importing those modules,
//! the lower layers call the entry of this table that `lib.rs` fills in
//! ([`crate::UPWARD`]), so the import graph points one way and this file
//! lists everything that crosses it.
//!
//! The table is a `const`: each call compiles to a direct call, as before,
//! so nothing is slower. It must stay small: an entry is added only where
//! moving the code down is not possible.

/// The calls from lower layers into higher ones; see the module docs.
pub(crate) struct Upward {
    /// First use (from `registry::first_use`, cold path only): install the
    /// exit hook, the panic hook and the signal handlers.
    pub(crate) activate: fn(),
    /// Install our panic hook once (from `unregister`/`clear`, which, like
    /// `run_now`, may be the program's first call).
    pub(crate) watch_panics: fn(),
    /// Whether the calling thread runs a cleanup of the final run (from
    /// `registry::intake` and the run loop).
    pub(crate) is_final_runner: fn() -> bool,
    /// Whether the deadline passed and the watchdog ends the process (from
    /// `registry::intake`).
    pub(crate) final_run_gave_up: fn() -> bool,
    /// From the signal handler: a handled signal arrived; what it means
    /// ([`Arrival`]). Async-signal-safe: a few atomic operations.
    pub(crate) signal_arrived: fn(i32) -> Arrival,
    /// From the signal watcher thread: run the cleanups for a signal;
    /// returns the signal the process must end by.
    pub(crate) run_for_signal: fn(i32) -> i32,
    /// From the signal watcher thread, when a listening program's grace
    /// period after a signal is over: run the cleanups (the process then
    /// ends by the signal), unless the program began ending on its own
    /// meanwhile (`false`, at once).
    pub(crate) run_after_grace: fn(i32) -> bool,
}

/// What a handled signal means, as the signal handler sees it arrive.
pub(crate) enum Arrival {
    /// A second handled signal while the final run goes on (or one after
    /// it is done): the process ends at once, by this signal.
    DuringRun,
    /// The first handled signal, and a run is already going on (`main`
    /// returned, `exit` was called, a panic): that run finishes, bounded
    /// by its deadline, and then ends the process by this signal. A
    /// supervisor's first `SIGTERM` to a process that is already ending is
    /// the ordinary case, and must not cut its cleanups short.
    RunGoingOn,
    /// The program listens for shutdown and this is the first signal: the
    /// request. The watcher wakes the waiters and starts the grace period;
    /// the signal is not recorded as the one the process ends by, so a
    /// program that drains and returns ends with its own status.
    Request,
    /// The process ends by this signal, after the cleanups.
    Ending,
}
