//! Running cleanups: the loop, one cleanup's outcome, and manual runs.
//!
//! Every run pops the entry with the highest sequence number, runs it under
//! `catch_unwind`, records its outcome, and repeats until the registry is
//! empty — so an entry registered by a running cleanup runs too. The
//! registry lock is never held while user code runs. The one run that ends
//! the process is in `final_run`.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::Duration;

use crate::clock::{self, Scale, Stamp};

use crate::registry::{self, Action, Entry, Origin};
use crate::report::{EntryReport, PendingEntry, Report, Status, Trigger};
use crate::{final_run, thread_token};

/// A run in progress.
pub(crate) struct Run {
    pub(crate) trigger: Trigger,
    pub(crate) status: Option<i32>,
    pub(crate) signal: Option<i32>,
    pub(crate) entries: Vec<EntryReport>,
    /// The entry running now, if any.
    pub(crate) current: Option<Origin>,
    /// When the previous entry ended: one clock read per boundary times
    /// every entry (two per entry would double the cost of the loop).
    pub(crate) last_boundary: Stamp,
    /// Turns clock ticks into durations.
    pub(crate) scale: Scale,
    /// The thread running the cleanups.
    pub(crate) runner: usize,
}

impl Run {
    pub(crate) fn new(trigger: Trigger, status: Option<i32>, signal: Option<i32>) -> Run {
        Run {
            trigger,
            status,
            signal,
            entries: Vec::new(),
            current: None,
            last_boundary: clock::now(),
            scale: Scale::measure(),
            runner: thread_token::current(),
        }
    }

    /// Records how the current entry ended, at `now`.
    fn close_current(&mut self, status: Status, error: Option<String>, now: Stamp) {
        if let Some(origin) = self.current.take() {
            self.entries.push(EntryReport {
                origin,
                status,
                error,
                duration: self.scale.between(self.last_boundary, now),
            });
        }
        self.last_boundary = now;
    }

    pub(crate) fn into_report(self) -> Report {
        Report {
            trigger: self.trigger,
            status: self.status,
            signal: self.signal,
            entries: self.entries,
            pending: Vec::new(),
        }
    }
}

pub(crate) type RunSlot = Mutex<Option<Run>>;

pub(crate) fn lock(slot: &RunSlot) -> MutexGuard<'_, Option<Run>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs every registered cleanup, last registered first, until none is left.
///
/// One lock of the run record per cleanup: it closes the record of the
/// cleanup that just ran and opens the next one's.
pub(crate) fn run_entries(slot: &RunSlot) {
    let pending = registry::lock().len();
    if let Some(run) = lock(slot).as_mut() {
        run.entries.reserve(pending);
    }
    let mut finished: Option<(Status, Option<String>)> = None;
    loop {
        // Bind first: the registry guard must be gone before user code runs.
        let next = registry::lock().pop_last();
        let now = clock::now();
        let (action, timeout) = {
            let mut guard = lock(slot);
            let run = guard.as_mut();
            if let (Some(run), Some((status, error))) = (run, finished.take()) {
                run.close_current(status, error, now);
            }
            let Some(Entry {
                origin,
                action,
                timeout,
                ..
            }) = next
            else {
                break;
            };
            if let Some(run) = guard.as_mut() {
                run.current = Some(origin);
            }
            (action, timeout)
        };
        finished = Some(match timeout {
            None => run_caught(action),
            Some(timeout) => run_with_timeout(action, timeout),
        });
    }
}

/// Runs one cleanup on this thread, catching a panic.
fn run_caught(action: Action) -> (Status, Option<String>) {
    match panic::catch_unwind(AssertUnwindSafe(|| action.call())) {
        Ok(Ok(())) => (Status::Ok, None),
        Ok(Err(error)) => (Status::Error, Some(error)),
        Err(payload) => (Status::Panic, Some(panic_message(payload))),
    }
}

/// Runs one cleanup on a thread of its own and stops waiting for it after
/// `timeout`; it then goes on in the background until the process ends.
fn run_with_timeout(action: Action, timeout: Duration) -> (Status, Option<String>) {
    let (done, outcome) = mpsc::sync_channel(1);
    // The action moves into the thread only if the spawn succeeds, so on
    // failure it is handed back through this slot and run here instead.
    let slot = Arc::new(Mutex::new(Some(action)));
    let for_thread = Arc::clone(&slot);
    let spawned = std::thread::Builder::new()
        .name("cleanup-timeout".to_owned())
        .spawn(move || {
            let action = for_thread
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(action) = action {
                let _ = done.send(run_caught(action));
            }
        });
    if spawned.is_err() {
        let action = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        return action.map_or((Status::Ok, None), run_caught);
    }
    match outcome.recv_timeout(timeout) {
        Ok(outcome) => outcome,
        Err(_) => (
            Status::Timeout,
            Some(format!(
                "still running after its timeout of {}",
                humantime::format_duration(timeout)
            )),
        ),
    }
}

/// Closes the current entry's record with `status`.
pub(crate) fn finish_current(slot: &RunSlot, status: Status, error: Option<String>) {
    let now = clock::now();
    if let Some(run) = lock(slot).as_mut() {
        run.close_current(status, error, now);
    }
}

/// The text of a panic payload. The payload is leaked rather than dropped:
/// a payload whose `Drop` panics would otherwise escape `catch_unwind`.
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
pub(crate) fn run_now() -> Report {
    let slot = Mutex::new(Some(Run::new(Trigger::Manual, None, None)));
    run_entries(&slot);
    crate::logging::flush_after_cleanups();
    let run = slot.into_inner().unwrap_or_else(PoisonError::into_inner);
    let report = run
        .map(Run::into_report)
        .unwrap_or_else(empty_manual_report);
    HISTORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .extend(report.entries.iter().cloned());
    report
}

fn empty_manual_report() -> Report {
    Run::new(Trigger::Manual, None, None).into_report()
}

/// Entries run by [`run_now`] so far, for [`snapshot`].
static HISTORY: Mutex<Vec<EntryReport>> = Mutex::new(Vec::new());

/// What ran so far in this process, and what is pending. See
/// [`crate::report`].
pub(crate) fn snapshot() -> Report {
    let mut report = empty_manual_report();
    report.entries = HISTORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    final_run::add_progress(&mut report);
    report.pending = registry::lock()
        .pending()
        .into_iter()
        .map(|origin| PendingEntry { origin })
        .collect();
    report
}
