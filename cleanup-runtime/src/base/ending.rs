//! How the process is ending: whether the final run has started, is done
//! or was given up at its deadline, which thread carries it, the signal
//! or status the process ends with, and the handled signals counted so
//! far.
//!
//! Every floor reads this: the signal handler (`signals/`) records a
//! signal and learns what it means, the registration API (`registry/`)
//! asks whether its caller is the runner, the run loop (`run/`) enrols a
//! timed cleanup's helper thread, and the final run (`process/`) claims,
//! finishes and ends. So it lives on the bottom floor, and each of them
//! calls down to it. The shutdown side (whether the program listens, which
//! signal was its request) is [`listening`](super::listening), beside it.
//!
//! Atomics only, so the signal handler may use all of it:
//! async-signal-safe.

use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU8, AtomicU32, AtomicUsize, Ordering};

use super::{listening, thread_token};

const IDLE: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;
/// The deadline passed: the watchdog took the record and ends the process.
const GIVEN_UP: u8 = 3;

/// Whether the final run has started or finished.
static STATE: AtomicU8 = AtomicU8::new(IDLE);
/// The thread carrying the final run on (0: none).
static RUNNER: AtomicUsize = AtomicUsize::new(0);
/// The helper thread running the final run's current timed cleanup, which
/// stands in for the runner while it does (0: none; `run::timed_helper`).
static TIMED_HELPER: AtomicUsize = AtomicUsize::new(0);
/// The signal the process ends by once the final run is done (0: none):
/// the first handled signal that arrived and was not a shutdown request,
/// SIGABRT for a run before an abort. Written by the signal handler too,
/// so a signal that arrives before the run starts is never lost; kept
/// equal to the run record's `signal` once the run has started.
static ENDING_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The status the first caller of `cleanup_runtime::exit` gave
/// ([`NO_STATUS`]: none). Where the exit hook is told no status
/// (`atexit`, everywhere but glibc), it is the only way the run knows it,
/// and a run that ends the process itself (a deadline, a cleanup's
/// `std::process::exit`) would otherwise end it with 0: a failing program
/// reporting success.
static ASKED_STATUS: AtomicI64 = AtomicI64::new(NO_STATUS);
const NO_STATUS: i64 = i64::MIN;
/// How many handled signals have arrived in this process, the shutdown
/// request included: only the second one cuts a run short.
static SIGNALS_COUNTED: AtomicU32 = AtomicU32::new(0);

/// What a handled signal means, as the signal handler sees it arrive.
pub(crate) enum Arrival {
    /// A second handled signal while the final run goes on (or one after
    /// it is done): the process ends at once, by this signal.
    CutShort,
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

/// From the signal handler: a handled `signal` arrived. Returns what it
/// means. Async-signal-safe: a few atomic operations.
///
/// Signals are counted. With no run started, the signal ends the process
/// after the cleanups ([`Arrival::Ending`]), or, in a program that listens
/// for shutdown, the first one is the request ([`Arrival::Request`]) and
/// is not recorded: the program may still end on its own, with its own
/// status. With a run going on, the first handled signal lets it finish
/// and end the process by that signal ([`Arrival::RunGoingOn`]); a second
/// one, or any once the run is done, ends the process at once
/// ([`Arrival::CutShort`]).
///
/// Recorded before the run's state is read, and the run reads the record
/// after claiming its state, and again after it is done (all sequentially
/// consistent): a signal that finds no run started is always seen by the
/// run that starts next, and one that finds the run not yet done is seen
/// by the run's last step, or else finds it done and ends the process
/// itself.
pub(crate) fn signal_arrived(signal: i32) -> Arrival {
    let earlier = SIGNALS_COUNTED.fetch_add(1, Ordering::SeqCst);
    if listening::take_as_request(signal) && STATE.load(Ordering::SeqCst) == IDLE {
        return Arrival::Request;
    }
    record_ending_signal(signal);
    match STATE.load(Ordering::SeqCst) {
        IDLE => Arrival::Ending,
        RUNNING | GIVEN_UP if earlier == 0 => Arrival::RunGoingOn,
        _ => Arrival::CutShort,
    }
}

/// Records `signal` as the one the process ends by, unless one is
/// recorded already; returns the one recorded. Async-signal-safe.
pub(crate) fn record_ending_signal(signal: i32) -> i32 {
    match ENDING_SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => signal,
        Err(first) => first,
    }
}

/// The signal the process ends by, if it ends by one.
pub(crate) fn ending_signal() -> Option<i32> {
    match ENDING_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Claims the final run for the calling thread, its runner; `false` if it
/// had started already.
pub(crate) fn claim_final_run() -> bool {
    let claimed = STATE
        .compare_exchange(IDLE, RUNNING, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok();
    if claimed {
        set_runner();
    }
    claimed
}

/// The calling thread carries the final run on from now (a fresh thread
/// that takes over from one that cannot go on).
pub(crate) fn set_runner() {
    RUNNER.store(thread_token::current(), Ordering::Release);
}

/// Whether the final run has not started.
pub(crate) fn is_idle() -> bool {
    STATE.load(Ordering::SeqCst) == IDLE
}

/// Whether the final run is going on (not given up at its deadline).
pub(crate) fn is_running() -> bool {
    STATE.load(Ordering::Acquire) == RUNNING
}

/// Whether the final run is done: its report is written.
pub(crate) fn is_done() -> bool {
    STATE.load(Ordering::Acquire) == DONE
}

/// Whether the deadline passed and the watchdog is ending the process.
pub(crate) fn gave_up() -> bool {
    STATE.load(Ordering::Acquire) == GIVEN_UP
}

/// The final run's report is written.
pub(crate) fn mark_done() {
    STATE.store(DONE, Ordering::Release);
}

/// The watchdog takes the run over at its deadline: from now on it alone
/// writes the report and ends the process.
pub(crate) fn mark_given_up() {
    STATE.store(GIVEN_UP, Ordering::SeqCst);
}

/// Whether the calling thread is running a cleanup of the final run: the
/// runner thread, or the helper running its current timed cleanup.
pub(crate) fn is_final_runner() -> bool {
    is_running() && {
        let thread = thread_token::current();
        RUNNER.load(Ordering::Acquire) == thread || is_timed_helper(thread)
    }
}

/// `thread` runs the final run's current timed cleanup (0: none does).
pub(crate) fn set_timed_helper(thread: usize) {
    TIMED_HELPER.store(thread, Ordering::Release);
}

/// Whether `thread` runs the final run's current timed cleanup.
#[inline]
pub(crate) fn is_timed_helper(thread: usize) -> bool {
    TIMED_HELPER.load(Ordering::Acquire) == thread
}

/// `cleanup_runtime::exit` is about to call `exit(code)`: the first such
/// status is kept for the exit hook, in case the platform does not pass
/// it on.
pub(crate) fn note_exit_status(code: i32) {
    let _ = ASKED_STATUS.compare_exchange(
        NO_STATUS,
        i64::from(code),
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
}

/// The status kept by [`note_exit_status`], if any.
pub(crate) fn asked_status() -> Option<i32> {
    match ASKED_STATUS.load(Ordering::SeqCst) {
        NO_STATUS => None,
        // Stored from an `i32`, so it fits.
        status => i32::try_from(status).ok(),
    }
}

/// In a forked child: how its parent was ending is not the child's. A run
/// going on in the parent, its runner and helper, the signal and status
/// it ended with, the signals it counted and its shutdown state
/// ([`listening`]) are all forgotten; the child's own exit starts its own
/// run, and its first signal is its first.
#[cfg(unix)]
pub(crate) fn forget_after_fork() {
    STATE.store(IDLE, Ordering::Relaxed);
    RUNNER.store(0, Ordering::Relaxed);
    TIMED_HELPER.store(0, Ordering::Relaxed);
    ENDING_SIGNAL.store(0, Ordering::Relaxed);
    ASKED_STATUS.store(NO_STATUS, Ordering::Relaxed);
    SIGNALS_COUNTED.store(0, Ordering::Relaxed);
    listening::forget_after_fork();
}
