//! Running the cleanups: the loop, outcomes, and the one run at exit.
//!
//! Every run pops the entry with the highest sequence number, runs it under
//! `catch_unwind`, records its outcome, and repeats until the registry is
//! empty — so an entry registered by a running cleanup runs too. The
//! registry lock is never held while user code runs.
//!
//! The run at exit happens once per process (`ExitState`). While it runs, a
//! cleanup may end the process again in three ways, and each resumes the
//! same run rather than starting another or losing the rest:
//!
//! - [`exit`](crate::exit) on the runner thread: [`continue_after_exit_call`]
//!   then `libc::exit`.
//! - `libc::exit` (glibc re-enters its exit handlers and reaches our second
//!   handler, the barrier): [`continue_after_exit_call`] from there.
//! - `std::process::exit`: std aborts with a panic that cannot unwind; our
//!   panic hook sees it and calls [`finish_from_panic_hook`].

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::{Duration, Instant};

use crate::destination::Destination;
use crate::registry::{self, Action, Entry, Origin};
use crate::report::{EntryReport, PendingEntry, Report, Status, Trigger};
use crate::{deadline, diagnostics, panic_watch, thread_token};

/// A run in progress.
pub(crate) struct Run {
    trigger: Trigger,
    status: Option<i32>,
    signal: Option<i32>,
    entries: Vec<EntryReport>,
    /// The entry running now, if any.
    current: Option<Origin>,
    /// When the previous entry ended: one clock read per boundary times
    /// every entry (two per entry would double the cost of the loop).
    last_boundary: Instant,
    /// The thread running the cleanups.
    runner: usize,
}

impl Run {
    fn new(trigger: Trigger, status: Option<i32>, signal: Option<i32>) -> Run {
        Run {
            trigger,
            status,
            signal,
            entries: Vec::new(),
            current: None,
            last_boundary: Instant::now(),
            runner: thread_token::current(),
        }
    }

    fn into_report(self) -> Report {
        Report {
            trigger: self.trigger,
            status: self.status,
            signal: self.signal,
            entries: self.entries,
            pending: Vec::new(),
        }
    }
}

type RunSlot = Mutex<Option<Run>>;

fn lock(slot: &RunSlot) -> MutexGuard<'_, Option<Run>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs every registered cleanup, last registered first, until none is left.
fn run_entries(slot: &RunSlot) {
    loop {
        // Bind first: the registry guard must be gone before user code runs.
        let next = registry::lock().pop_last();
        let Some(Entry {
            origin,
            action,
            timeout,
            ..
        }) = next
        else {
            break;
        };
        if let Some(run) = lock(slot).as_mut() {
            run.current = Some(origin);
        }
        let (status, error) = match timeout {
            None => run_caught(action),
            Some(timeout) => run_with_timeout(action, timeout),
        };
        finish_current(slot, status, error);
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
fn finish_current(slot: &RunSlot, status: Status, error: Option<String>) {
    let now = Instant::now();
    let mut guard = lock(slot);
    let Some(run) = guard.as_mut() else { return };
    if let Some(origin) = run.current.take() {
        run.entries.push(EntryReport {
            origin,
            status,
            error,
            duration: now.saturating_duration_since(run.last_boundary),
        });
    }
    run.last_boundary = now;
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
    if let Some(run) = lock(&EXIT_RUN).as_ref() {
        report.trigger = run.trigger;
        report.status = run.status;
        report.signal = run.signal;
        report.entries.extend(run.entries.iter().cloned());
    }
    report.pending = registry::lock()
        .pending()
        .into_iter()
        .map(|origin| PendingEntry { origin })
        .collect();
    report
}

// ---- The run at exit -------------------------------------------------------

const IDLE: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;

/// Whether the run at exit has started or finished: it happens once.
static EXIT_STATE: AtomicU8 = AtomicU8::new(IDLE);
static EXIT_RUN: RunSlot = Mutex::new(None);
/// Woken when the run at exit is done, for threads that exit concurrently.
static EXIT_DONE: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// The run at exit: called from the exit hook with the status `exit` was
/// given (`None` where the platform does not say). Runs nothing if the run
/// already started.
pub(crate) fn run_at_exit(status: Option<i32>) {
    if EXIT_STATE
        .compare_exchange(IDLE, RUNNING, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return;
    }
    let trigger = if status == Some(101) && panic_watch::main_thread_panicked() {
        Trigger::Panic
    } else {
        Trigger::Exit
    };
    if registry::lock().len() > 0 {
        // Chain our hook over whatever the program installed since, so a
        // cleanup that calls `std::process::exit` is noticed.
        panic_watch::install();
    }
    *lock(&EXIT_RUN) = Some(Run::new(trigger, status, None));
    if let Some(limit) = deadline::for_exit_run() {
        start_watchdog(limit);
    }
    run_entries(&EXIT_RUN);
    finish_exit_run();
}

/// Starts the thread that ends the process if the run at exit is not done
/// within `limit`.
fn start_watchdog(limit: Duration) {
    let spawned = std::thread::Builder::new()
        .name("cleanup-deadline".to_owned())
        .spawn(move || {
            let (done, woken) = &EXIT_DONE;
            let done = done.lock().unwrap_or_else(PoisonError::into_inner);
            let (done, _) = woken
                .wait_timeout_while(done, limit, |done| !*done)
                .unwrap_or_else(PoisonError::into_inner);
            if !*done {
                drop(done);
                give_up_at_deadline(limit);
            }
        });
    if let Err(error) = spawned {
        diagnostics::warn(format_args!(
            "could not start the deadline watchdog: {error}"
        ));
    }
}

/// The deadline passed: the running cleanup is marked `timeout`, the ones
/// not started `skipped`, the report is written, and the process ends at
/// once with the status it was ending with. `_exit`, not `exit`: the hung
/// cleanup may hold a lock that the remaining exit handlers or stdio need.
fn give_up_at_deadline(limit: Duration) {
    let Some(mut run) = lock(&EXIT_RUN).take() else {
        return; // finished meanwhile
    };
    let now = Instant::now();
    if let Some(origin) = run.current.take() {
        run.entries.push(EntryReport {
            origin,
            status: Status::Timeout,
            error: Some(format!(
                "still running when the deadline of {} passed",
                humantime::format_duration(limit)
            )),
            duration: now.saturating_duration_since(run.last_boundary),
        });
    }
    loop {
        let next = registry::lock().pop_last();
        let Some(entry) = next else { break };
        run.entries.push(EntryReport {
            origin: entry.origin.clone(),
            status: Status::Skipped,
            error: Some("not started: the deadline had passed".to_owned()),
            duration: Duration::ZERO,
        });
        // Not dropped: dropping a cleanup's captures runs code that may hang
        // as well.
        std::mem::forget(entry);
    }
    let status = run.status.unwrap_or(0);
    let signal = run.signal;
    Destination::from_env().write(&run.into_report());
    if let Some(signal) = signal {
        crate::signals::die_now(signal);
    }
    // SAFETY: `_exit` ends the process at once; it is always safe to call.
    unsafe { libc::_exit(status) }
}

/// The run for a signal, on the watcher thread: returns `true` when the
/// caller should now end the process by `signal`, `false` if the run at
/// exit had already started another way.
pub(crate) fn run_for_signal(signal: i32) -> bool {
    if EXIT_STATE
        .compare_exchange(IDLE, RUNNING, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return false;
    }
    if registry::lock().len() > 0 {
        panic_watch::install();
    }
    *lock(&EXIT_RUN) = Some(Run::new(Trigger::Signal, None, Some(signal)));
    if let Some(limit) = deadline::for_exit_run() {
        start_watchdog(limit);
    }
    run_entries(&EXIT_RUN);
    finish_exit_run();
    true
}

/// Whether the run at exit (or for a signal) has started. Async-signal-safe.
pub(crate) fn exit_run_started() -> bool {
    EXIT_STATE.load(Ordering::Acquire) != IDLE
}

/// Whether the calling thread is the one running the cleanups at exit.
pub(crate) fn is_exit_runner() -> bool {
    if EXIT_STATE.load(Ordering::Acquire) != RUNNING {
        return false;
    }
    // try_lock: this is also asked from the panic hook, which may fire
    // while this thread holds the lock.
    match EXIT_RUN.try_lock() {
        Ok(run) => run
            .as_ref()
            .is_some_and(|r| r.runner == thread_token::current()),
        Err(_) => false,
    }
}

/// The runner thread is leaving the current cleanup by ending the process
/// again: count that cleanup as done, run the rest, and write the report.
/// `status` replaces the exit status when the new exit gives one.
pub(crate) fn continue_after_exit_call(status: Option<i32>) {
    finish_current(&EXIT_RUN, Status::Ok, None);
    if let (Some(status), Some(run)) = (status, lock(&EXIT_RUN).as_mut()) {
        run.status = Some(status);
    }
    run_entries(&EXIT_RUN);
    finish_exit_run();
}

/// The second exit handler: reached after our first one returned (nothing
/// to do), from a cleanup that called `libc::exit` (resume the run), or by
/// another thread that called `exit` meanwhile (wait for the run, so the
/// process does not end under the cleanups).
pub(crate) fn exit_barrier(status: Option<i32>) {
    match EXIT_STATE.load(Ordering::Acquire) {
        IDLE => run_at_exit(status),
        RUNNING if is_exit_runner() => continue_after_exit_call(status),
        RUNNING => wait_for_exit_run(),
        _ => {}
    }
}

fn wait_for_exit_run() {
    let (done, woken) = &EXIT_DONE;
    let mut done = done.lock().unwrap_or_else(PoisonError::into_inner);
    while !*done {
        done = woken.wait(done).unwrap_or_else(PoisonError::into_inner);
    }
}

/// Writes the report of the run at exit and marks the run done.
fn finish_exit_run() {
    let Some(run) = lock(&EXIT_RUN).take() else {
        return;
    };
    let report = run.into_report();
    Destination::from_env().write(&report);
    EXIT_STATE.store(DONE, Ordering::Release);
    let (done, woken) = &EXIT_DONE;
    *done.lock().unwrap_or_else(PoisonError::into_inner) = true;
    woken.notify_all();
}

/// The exit status the run at exit will end the process with.
fn exit_status() -> i32 {
    match EXIT_RUN.try_lock() {
        Ok(run) => run.as_ref().and_then(|r| r.status).unwrap_or(0),
        Err(_) => 0,
    }
}

/// Called by our panic hook when a cleanup called `std::process::exit`
/// during the run at exit: std is about to abort. Finish the run and end
/// the process with the status it was already ending with (std discards
/// the nested call's code before we can see it).
pub(crate) fn finish_from_panic_hook() -> ! {
    let status = exit_status();
    // A panic inside a panic hook aborts the process, so the remaining
    // cleanups run on a fresh thread, where `catch_unwind` works again.
    let spawned = std::thread::Builder::new()
        .name("cleanup-exit".to_owned())
        .spawn(|| {
            if let Some(run) = lock(&EXIT_RUN).as_mut() {
                run.runner = thread_token::current();
            }
            continue_after_exit_call(None);
        });
    match spawned {
        Ok(handle) => {
            let _ = handle.join();
        }
        Err(_) => continue_after_exit_call(None),
    }
    end_process(status)
}

/// Ends the process with `status` from inside the exit handlers: glibc runs
/// the handlers left (ours are done by now) and then `_exit`s.
pub(crate) fn end_process(status: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().lock().flush();
    // SAFETY: `exit` may be called from an exit handler on glibc, which then
    // runs the remaining handlers and ends the process with this status
    // (FINDINGS.md); nothing of ours runs again, the exit state is DONE.
    unsafe { libc::exit(status) }
}
