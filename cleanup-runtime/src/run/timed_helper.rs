//! The helper thread that runs a timed cleanup of the final run
//! (`runner::run_with_timeout`): while it runs that cleanup it stands in
//! for the runner, so the cleanup's `exit` and, in a `panic = "abort"`
//! build, its panic end that cleanup, as they would on the runner thread,
//! not the whole run. It ends the cleanup by handing its outcome to the
//! runner, which is waiting for one (or for the timeout), and from then on
//! never returns: the runner carries the run on and ends the process.
//!
//! Which thread is the helper is `base::ending`'s (the signal handler and
//! the registration API ask too); the channel back to the runner is here,
//! with the loop that enrols the helper. `process/` (`final_run`,
//! `panic_hook`) hands the outcome back through it.

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::base::ending;
use crate::base::one_shot::Sender;
use crate::report::Failure;

/// The helper running the final run's current timed cleanup (0: none).
/// Changed only under [`OUTCOME`]'s lock; read without it.
/// Where that cleanup's outcome goes; the runner waits on the other end.
static OUTCOME: Mutex<Option<Sender<Failure>>> = Mutex::new(None);

thread_local! {
    /// Whether this thread runs (or ran, and was abandoned at its timeout)
    /// a timed cleanup of the final run: it never runs anything else, and
    /// never ends the process or the run.
    static HELPER_HERE: Cell<bool> = const { Cell::new(false) };
}

/// The helper counts as the runner until this is dropped, when the runner
/// has its outcome or stops waiting for it.
pub(crate) struct Enrolment(());

/// Enrols `thread` (a [`thread_token`](crate::base::thread_token) identity) as
/// the helper, whose outcome goes to `outcome`. Called by the runner before
/// the helper runs the cleanup.
pub(crate) fn enrol(thread: usize, outcome: Sender<Failure>) -> Enrolment {
    let mut slot = lock();
    *slot = Some(outcome);
    ending::set_timed_helper(thread);
    Enrolment(())
}

impl Drop for Enrolment {
    fn drop(&mut self) {
        let mut slot = lock();
        ending::set_timed_helper(0);
        *slot = None;
    }
}

/// Whether `thread` is the enrolled helper.
#[inline]
pub(crate) fn is(thread: usize) -> bool {
    ending::is_timed_helper(thread)
}

/// On a thread about to run a timed cleanup: remembers for good whether
/// it is the final run's helper (it is enrolled before it gets here).
pub(crate) fn note_start(thread: usize) {
    if is(thread) {
        HELPER_HERE.set(true);
    }
}

/// Whether this thread is, or was until its timeout passed, the helper of
/// a timed cleanup of the final run.
pub(crate) fn is_here() -> bool {
    HELPER_HERE.get()
}

/// On the helper: ends its cleanup with `failure`, after `record` ran.
/// Both happen under the lock, so the runner cannot stop waiting in
/// between; `false` (and nothing done) if the runner stopped waiting first.
pub(crate) fn hand_back(thread: usize, failure: Failure, record: impl FnOnce()) -> bool {
    let mut slot = lock();
    if !ending::is_timed_helper(thread) {
        return false;
    }
    let Some(outcome) = slot.take() else {
        return false;
    };
    ending::set_timed_helper(0);
    record();
    // Room for one outcome, and the cleanup has not ended otherwise.
    let _ = outcome.send(failure);
    true
}

fn lock() -> MutexGuard<'static, Option<Sender<Failure>>> {
    OUTCOME.lock().unwrap_or_else(PoisonError::into_inner)
}
