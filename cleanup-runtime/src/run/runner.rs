//! Running cleanups: the loop, one cleanup's outcome, and manual runs.
//!
//! Every run pops the entry with the highest sequence number (or, while
//! some pending entry has an `after`/`before` constraint, the one planned
//! next, which `registry::ordering` puts last first), runs it under
//! `catch_unwind`, records its outcome, and repeats until the registry is
//! empty — so an entry registered by a running cleanup runs too. The
//! registry lock is never held while user code runs. The one run that ends
//! the process is in `final_run`.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::base::entry::Action;
use crate::base::thread_token;
use crate::base::{clock, one_shot, spawn};
use crate::registry::{self, Entries, Registry};
use crate::report::record::Run;
use crate::report::{EntryReport, EntryStatus, Report, Trigger};
use crate::run::timed_helper;

pub(crate) use crate::report::{Failure, failure};

/// Which run's record a loop writes to.
pub(crate) enum Target<'a> {
    /// The run at exit, whose record is in the registry (`final_run`).
    Final,
    /// A run of [`run_now`], recorded by its caller.
    Manual(&'a mut Run),
}

/// Runs every registered cleanup, last registered first (unless ordering
/// constraints say otherwise), until none is left.
///
/// Each step is one lock of the registry: it completes the record of the
/// cleanup that just ended, takes the next entry and opens its record.
pub(crate) fn run_entries(mut target: Target<'_>) {
    {
        let mut registry = registry::lock();
        let pending = registry.entries.len();
        if let Some(run) = record_of(&mut target, &mut registry.final_run) {
            run.reserve(pending);
        }
    }
    let mut failure: Failure = None;
    #[cfg(feature = "tracing")]
    let mut span = crate::run::events::RunSpan::default();
    loop {
        // Bind first: the registry guard must be gone before user code runs.
        #[cfg(not(feature = "tracing"))]
        let next = step(&mut registry::lock(), &mut target, failure);
        // The event of the cleanup this step completed, out of the lock.
        #[cfg(feature = "tracing")]
        let next = {
            let mut registry = registry::lock();
            let next = step(&mut registry, &mut target, failure);
            let listening = crate::run::events::wanted();
            let ended = record_of(&mut target, &mut registry.final_run)
                .and_then(|run| run.unannounced(listening));
            drop(registry);
            span.emit(ended);
            next
        };
        let Some((action, timeout)) = next else { break };
        failure = match timeout {
            None => run_caught(action),
            Some(timeout) => run_with_timeout(action, timeout),
        };
    }
}

/// The record a run writes to.
#[inline]
fn record_of<'r>(
    target: &'r mut Target<'_>,
    final_run: &'r mut Option<Run>,
) -> Option<&'r mut Run> {
    match target {
        Target::Final => final_run.as_mut(),
        Target::Manual(run) => Some(run),
    }
}

/// One step of a run, under the registry lock.
#[inline]
fn step(
    registry: &mut Registry,
    target: &mut Target<'_>,
    failure: Failure,
) -> Option<(Action, Option<Duration>)> {
    let Registry {
        entries, final_run, ..
    } = registry;
    let now = clock::now();
    let mut run = record_of(target, final_run);
    if let Some(run) = run.as_deref_mut() {
        run.close(failure, now);
    }
    let (sequence, entry, timeout) = entries.pop_next()?;
    let (action, origin) = entry.into_parts();
    if let Some(run) = run {
        run.open(sequence, origin);
    }
    Some((action, timeout))
}

/// Runs one cleanup on this thread, catching a panic.
///
/// Always inlined into the loop: left to LLVM, whether it is depends on
/// unrelated code (with feature `tokio` it was not, +17 instructions per
/// cleanup; BENCHMARKS.md).
#[inline(always)]
fn run_caught(action: Action) -> Failure {
    match panic::catch_unwind(AssertUnwindSafe(|| action.call())) {
        Ok(Ok(())) => None,
        Ok(Err(error)) => failure(EntryStatus::Error, error),
        Err(payload) => failure(EntryStatus::Panic, panic_message(payload)),
    }
}

/// Runs one cleanup on a thread of its own and stops waiting for it after
/// `timeout`; it then goes on in the background until the process ends.
///
/// In the final run that thread stands in for the runner while it runs the
/// cleanup (`timed_helper::enrol`): the cleanup's `exit` or fatal
/// panic ends the cleanup, as on the runner thread, not the run. It is
/// enrolled before it may take the action, so it never runs the cleanup
/// unrecognised, and the enrolment ends when this stops waiting.
fn run_with_timeout(action: Action, timeout: Duration) -> Failure {
    let (done, outcome) = one_shot::channel();
    // The action moves into the thread only if the spawn succeeds, so on
    // failure it is handed back through this slot and run here instead.
    let slot = Arc::new(Mutex::new(Some(action)));
    let for_thread = Arc::clone(&slot);
    let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
    let ended = done.clone();
    let spawned = spawn::named(
        "cleanup-timeout",
        Box::new(move || {
            let action = for_thread
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(action) = action {
                timed_helper::note_start(thread_token::current());
                let _ = done.send(run_caught(action));
            }
        }),
    );
    let helper = match spawned {
        Ok(helper) => helper,
        Err(_) => return held.take().and_then(run_caught),
    };
    // Until the enrolment is dropped, the helper counts as the runner and
    // ends its cleanup early by sending its outcome to `ended`.
    let thread = thread_token::of(&helper);
    let _enrolment =
        crate::base::ending::is_final_runner().then(|| timed_helper::enrol(thread, ended.clone()));
    drop(held);
    match outcome.recv_timeout(timeout) {
        Ok(outcome) => outcome,
        Err(_) => failure(
            EntryStatus::Timeout,
            format!(
                "still running after its timeout of {}",
                crate::report::duration::Shown(timeout)
            ),
        ),
    }
}

/// Records every pending cleanup as `skipped` with `why`, in the order they
/// would have run (as planned, when some are constrained), without running
/// them: the deadline passed, or the thread that would run them is outside
/// the program's sandbox. Their closures are not dropped either: dropping
/// a cleanup's captures runs its code too, which may hang as well.
pub(crate) fn skip_pending(entries: &mut Entries, run: &mut Run, why: &str) {
    while let Some((sequence, entry, _)) = entries.pop_next() {
        let (action, origin) = entry.into_parts();
        run.skip(sequence, origin, why);
        std::mem::forget(action);
    }
}

/// Completes the record of the final run's running cleanup with `status`.
pub(crate) fn finish_current(failure: Failure) {
    let now = clock::now();
    if let Some(run) = registry::lock().final_run.as_mut() {
        run.close(failure, now);
    }
}

/// The text of a panic payload. The payload is leaked rather than dropped:
/// a payload whose `Drop` panics would otherwise escape `catch_unwind`.
/// Out of line: inlined, it makes every `run_caught` save registers it
/// needs only after a panic.
#[cold]
#[inline(never)]
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "panic with a non-string payload".to_owned()
    };
    std::mem::forget(payload);
    message
}

/// Runs all pending cleanups now. See [`crate::run_now`].
///
/// During the final run (from a cleanup, or from another thread while the
/// process ends) its entries go into the final run's record instead of the
/// history, so the report at exit lists every cleanup that ran, and
/// [`snapshot`] lists none twice.
///
/// A manual run on a thread other than the final run's is counted while
/// it goes on ([`Registry::manual_runs`]): the final run waits for it
/// before it takes its record, so a cleanup that `run_now` started when
/// the process began to end is never cut off, and the report at exit has
/// what that run did. One started by a cleanup of the final run is not
/// counted: the final run goes on only once it returns (or abandons it at
/// its timeout, and must not then wait for it after all).
pub(crate) fn run_now() -> Report {
    let counted = !crate::base::ending::is_final_runner();
    if counted {
        registry::lock().manual_runs += 1;
    }
    let mut run = Run::new(Trigger::Manual, None, None);
    run_entries(Target::Manual(&mut run));
    super::log_flush::flush_after_cleanups();
    let mut report = run.into_report();
    end_manual_run(counted, &mut report, Warnings::Taken);
    report
}

/// What a manual run does with the warnings found since the last run took
/// them.
#[derive(PartialEq)]
enum Warnings {
    /// Its report takes them (`run_now`).
    Taken,
    /// They stay for the next run (`Handle::run`: one entry's report).
    Left,
}

/// The end of a manual run: no longer counted (the final run may go on),
/// and its entries recorded where a report will show them: in the final
/// run's record if one is going on (the warnings then stay in the
/// registry for its report), else in the history.
fn end_manual_run(counted: bool, report: &mut Report, warnings: Warnings) {
    let taken_by_final_run = {
        let mut registry = registry::lock();
        if counted {
            registry.manual_runs -= 1;
            MANUAL_RUN_ENDED.notify_all();
        }
        let taken = match registry.final_run.as_mut() {
            Some(final_run) => {
                final_run.add_nested(&report.entries);
                true
            }
            None => false,
        };
        if warnings == Warnings::Taken {
            report.warnings = if taken {
                registry.entries.warnings_unclaimed()
            } else {
                registry.entries.take_warnings()
            };
        }
        taken
    };
    if !taken_by_final_run {
        remember(&report.entries);
    }
}

/// Runs the one entry at `sequence` (slot id `id`) now, if it is still
/// pending, as a run would: caught, within its timeout, recorded. See
/// `Handle::run`.
///
/// Counted and recorded as a one-entry [`run_now`]: the final run waits
/// for it, and it goes into the history (or, during the final run, into
/// its record), so nothing it did is missing from a report.
pub(crate) fn run_one(sequence: u64, id: u64) -> Option<EntryReport> {
    let counted = !crate::base::ending::is_final_runner();
    let (action, timeout, mut run) = {
        let mut registry = registry::lock();
        let (entry, timeout) = registry.entries.take_to_run(sequence, id)?;
        if counted {
            registry.manual_runs += 1;
        }
        let (action, origin) = entry.into_parts();
        let mut run = Run::new(Trigger::Manual, None, None);
        run.open(sequence, origin);
        (action, timeout, run)
    };
    let failure = match timeout {
        None => run_caught(action),
        Some(timeout) => run_with_timeout(action, timeout),
    };
    run.close(failure, clock::now());
    let mut report = run.into_report();
    end_manual_run(counted, &mut report, Warnings::Left);
    report.entries.into_iter().next()
}

/// Notified, under the registry lock, when a counted manual run ends.
static MANUAL_RUN_ENDED: Condvar = Condvar::new();

/// Waits, releasing `registry` meanwhile, until a counted manual run has
/// ended; returns the lock taken again (check the count again: another may
/// still run).
pub(crate) fn wait_for_manual_runs(
    registry: MutexGuard<'static, Registry>,
) -> MutexGuard<'static, Registry> {
    MANUAL_RUN_ENDED
        .wait(registry)
        .unwrap_or_else(PoisonError::into_inner)
}

/// How many entries of manual runs [`snapshot`] keeps: the most recent. A
/// service that calls `run_now` per request must not grow without bound.
const HISTORY_LIMIT: usize = 1_000;

/// The last [`HISTORY_LIMIT`] entries run by [`run_now`], for [`snapshot`].
static HISTORY: Mutex<History> = Mutex::new(History {
    entries: Vec::new(),
    next: 0,
});

/// A ring of entries on a plain vector rather than a `VecDeque`, and every
/// copy of entries here and in the record through `extend_from_slice`:
/// the deque and the several ways of cloning into it compiled about 3,000
/// lines of LLVM IR into the crate for the history alone.
struct History {
    /// Oldest first from `next` to the end, then from the start to `next`.
    entries: Vec<EntryReport>,
    /// Where the next entry goes: `entries.len()` until the ring is full,
    /// then the oldest entry's place.
    next: usize,
}

impl History {
    /// Adds `entry`, in place of the oldest once `limit` are kept.
    fn push(&mut self, entry: &EntryReport, limit: usize) {
        let at = self.next;
        if at == self.entries.len() {
            self.entries.push(entry.clone());
        } else {
            self.entries[at] = entry.clone();
        }
        self.next = (at + 1) % limit;
    }

    /// Copies the entries kept, oldest first, to the end of `into`.
    fn copy_oldest_first(&self, into: &mut Vec<EntryReport>) {
        into.extend_from_slice(&self.entries[self.next..]);
        into.extend_from_slice(&self.entries[..self.next]);
    }
}

/// Adds a manual run's entries to the history, replacing the oldest beyond
/// [`HISTORY_LIMIT`].
fn remember(entries: &[EntryReport]) {
    let newest = &entries[entries.len().saturating_sub(HISTORY_LIMIT)..];
    let mut history = HISTORY.lock().unwrap_or_else(PoisonError::into_inner);
    for entry in newest {
        history.push(entry, HISTORY_LIMIT);
    }
}

/// What ran so far in this process, and what is pending. See
/// [`crate::report`].
pub(crate) fn snapshot() -> Report {
    let mut report = Run::new(Trigger::Manual, None, None).into_report();
    HISTORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .copy_oldest_first(&mut report.entries);
    let registry = registry::lock();
    add_progress(&registry, &mut report);
    report.pending = registry.entries.pending();
    report.warnings = registry.entries.warnings();
    report
}

/// Adds the final run's progress so far to a snapshot report.
fn add_progress(registry: &Registry, report: &mut Report) {
    if let Some(run) = registry.final_run.as_ref() {
        report.trigger = run.trigger;
        report.status = run.status;
        report.signal = run.signal;
        report.entries.extend_from_slice(run.ended());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::entry::{Label, Origin};

    fn entry(sequence: u64) -> EntryReport {
        EntryReport {
            sequence,
            origin: Origin::Registered {
                caller: std::panic::Location::caller(),
                label: Label::TypeName("test"),
            },
            failure: None,
            nanos: 0,
        }
    }

    fn kept(history: &History) -> Vec<u64> {
        let mut entries = Vec::new();
        history.copy_oldest_first(&mut entries);
        entries.iter().map(|entry| entry.sequence).collect()
    }

    #[test]
    fn the_history_keeps_the_newest_oldest_first_across_the_wrap() {
        let mut history = History {
            entries: Vec::new(),
            next: 0,
        };
        for sequence in 0..2 {
            history.push(&entry(sequence), 3);
        }
        assert_eq!(kept(&history), [0, 1]);
        for sequence in 2..7 {
            history.push(&entry(sequence), 3);
        }
        assert_eq!(kept(&history), [4, 5, 6]);
        history.push(&entry(7), 3);
        assert_eq!(kept(&history), [5, 6, 7]);
    }
}
