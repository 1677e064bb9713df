//! The one run that ends the process: at exit, after a signal, or before a
//! `panic = "abort"` abort. It happens once per process, whichever comes
//! first, and whatever the cleanups do meanwhile.
//!
//! While it runs, a cleanup may end the process again; each way resumes the
//! same run rather than starting another or losing the rest:
//!
//! - [`exit`](crate::exit) on the runner thread: [`continue_after_exit_call`],
//!   then `libc::exit` with the new code.
//! - `libc::exit`: glibc re-enters its exit handlers and reaches our second
//!   one, [`exit_barrier`], which continues the run.
//! - `std::process::exit`: std aborts with a panic that cannot unwind; our
//!   panic hook sees it and calls [`resume_after_fatal_panic`].
//! - a panic in a `panic = "abort"` build: the same.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

use crate::destination::Destination;
use crate::registry::{self, Registry};
use crate::report::{Report, Trigger};
use crate::runner::{self, Failure, Run, Target};
use crate::{deadline, fork, panic_watch, signals, thread_token, watchdog};

const IDLE: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;
/// The deadline passed: the watchdog took the record and ends the process.
const GIVEN_UP: u8 = 3;

/// Whether the final run has started or finished.
static STATE: AtomicU8 = AtomicU8::new(IDLE);
/// The thread carrying the final run on (0: none). Its record is in the
/// registry (`Registry::final_run`), shared by whichever thread that is.
static RUNNER: AtomicUsize = AtomicUsize::new(0);
/// Woken when the final run is done (`STATE` says so; waiters check it
/// under this lock, and `finish` notifies under it, so no wake-up is lost).
static DONE_SIGNAL: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());

/// Starts the final run if none has started: claims it, makes sure our
/// panic hook is in place, and starts the deadline watchdog.
fn begin(trigger: Trigger, status: Option<i32>, signal: Option<i32>) -> bool {
    if STATE
        .compare_exchange(IDLE, RUNNING, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return false;
    }
    RUNNER.store(thread_token::current(), Ordering::Release);
    let anything_to_run = {
        let mut registry = registry::lock();
        registry.final_run = Some(Run::new(trigger, status, signal));
        registry.entries.begin_final_run();
        registry.entries.len() > 0
    };
    if anything_to_run {
        // Chained over whatever hook the program installed since, so a
        // cleanup that calls `std::process::exit` is noticed.
        panic_watch::install();
    }
    if let Some(limit) = deadline::for_exit_run() {
        watchdog::start(limit);
    }
    true
}

/// From the exit hook, with the status `exit` was given (`None` where the
/// platform does not say).
pub(crate) fn run_at_exit(status: Option<i32>) {
    let trigger = if status == Some(101) && panic_watch::main_thread_panicked() {
        Trigger::Panic
    } else {
        Trigger::Exit
    };
    if begin(trigger, status, None) {
        runner::run_entries(Target::Final);
        finish();
    }
}

/// From the signal watcher thread. Returns `true` when the caller should
/// now end the process by `signal`; `false` if the final run had started
/// another way.
pub(crate) fn run_for_signal(signal: i32) -> bool {
    if !begin(Trigger::Signal, None, Some(signal)) {
        return false;
    }
    runner::run_entries(Target::Final);
    finish();
    true
}

/// From our panic hook in a `panic = "abort"` build, before std aborts.
pub(crate) fn run_before_abort() {
    if begin(Trigger::Panic, None, Some(libc::SIGABRT)) {
        // Inside a panic hook any panic aborts at once; on a thread of its
        // own a cleanup's panic reaches our hook as a runner panic instead.
        run_rest_on_fresh_thread();
        finish();
    }
}

/// Whether the final run has started. Async-signal-safe.
pub(crate) fn started() -> bool {
    STATE.load(Ordering::Acquire) != IDLE
}

/// Whether the calling thread is the one running the final run.
pub(crate) fn is_runner() -> bool {
    STATE.load(Ordering::Acquire) == RUNNING
        && RUNNER.load(Ordering::Acquire) == thread_token::current()
}

/// The runner thread leaves the current cleanup by ending the process
/// again: count that cleanup as done, run the rest, write the report.
/// `status` replaces the exit status when the new exit gives one.
pub(crate) fn continue_after_exit_call(status: Option<i32>) {
    runner::finish_current(None);
    if let (Some(status), Some(run)) = (status, registry::lock().final_run.as_mut()) {
        run.status = Some(status);
    }
    runner::run_entries(Target::Final);
    finish();
}

/// The second exit handler: reached after our first one returned (nothing
/// to do), from a cleanup that called `libc::exit` (resume the run), or by
/// another thread that called `exit` meanwhile (wait, so the process does
/// not end under the cleanups).
pub(crate) fn exit_barrier(status: Option<i32>) {
    match STATE.load(Ordering::Acquire) {
        IDLE => run_at_exit(status),
        RUNNING if is_runner() => continue_after_exit_call(status),
        RUNNING => wait_until_done(),
        GIVEN_UP => wait_for_the_watchdog(),
        _ => {}
    }
}

/// Called by the watchdog, under the registry lock, as it takes the run's
/// record: from now on it alone writes the report and ends the process.
pub(crate) fn mark_given_up() {
    STATE.store(GIVEN_UP, Ordering::Release);
}

/// Blocks a thread that would otherwise end the process (return from the
/// exit handlers, re-raise a signal) while the watchdog writes the report
/// and ends it. `pause`, not `park`: on the main thread inside `exit`,
/// std's thread-local data is already gone.
fn wait_for_the_watchdog() -> ! {
    loop {
        // SAFETY: pause has no preconditions; it returns after a handled
        // signal, and we wait again.
        unsafe { libc::pause() };
    }
}

/// In a forked child: a final run going on in the parent is not this
/// process's; the child's own exit starts its own.
pub(crate) fn forget_after_fork() {
    STATE.store(IDLE, Ordering::Relaxed);
    RUNNER.store(0, Ordering::Relaxed);
}

fn wait_until_done() {
    wait_until_done_for(None);
}

/// Waits until the final run is done, or at most `limit`; returns whether
/// it is done.
pub(crate) fn wait_until_done_for(limit: Option<std::time::Duration>) -> bool {
    let is_running = |_: &mut ()| STATE.load(Ordering::Acquire) != DONE;
    let (lock, woken) = &DONE_SIGNAL;
    let guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
    match limit {
        None => drop(woken.wait_while(guard, is_running)),
        Some(limit) => drop(woken.wait_timeout_while(guard, limit, is_running)),
    }
    STATE.load(Ordering::Acquire) == DONE
}

/// Flushes the logger, writes the final report and marks the run done.
fn finish() {
    crate::logging::flush_after_cleanups();
    let Some(run) = take_record_sealed() else {
        if STATE.load(Ordering::Acquire) == GIVEN_UP {
            wait_for_the_watchdog();
        }
        return;
    };
    let report = run.into_report();
    // Bound by the deadline, if the run has one (see `watchdog::start`).
    write_report(&report, crate::diagnostics::writes_give_up_at());
    // The process is ending: freeing every record one by one would only
    // delay it (about a tenth of the run's cost per cleanup, BENCHMARKS.md).
    std::mem::forget(report);
    STATE.store(DONE, Ordering::Release);
    let (lock, woken) = &DONE_SIGNAL;
    let _guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
    woken.notify_all();
}

/// Takes the run's record once the registry is empty, sealing it in the
/// same lock (see `intake`): an entry that another thread added just as
/// the loop ended (it is parked now) runs first, and none added after is
/// left where nothing would run it.
fn take_record_sealed() -> Option<Run> {
    loop {
        let mut registry = registry::lock();
        if registry.entries.len() == 0 || registry.final_run.is_none() {
            registry.entries.seal();
            return registry.final_run.take();
        }
        drop(registry);
        runner::run_entries(Target::Final);
    }
}

/// Whether the deadline passed and the watchdog is ending the process.
pub(crate) fn gave_up() -> bool {
    STATE.load(Ordering::Acquire) == GIVEN_UP
}

/// Writes the report where `CLEANUP_REPORT` says, giving up at
/// `give_up_at` if given (see [`Destination::write`]). A forked child with
/// nothing of its own to clean up stays silent: its empty report would only
/// overwrite its parent's.
pub(crate) fn write_report(report: &Report, give_up_at: Option<std::time::Instant>) {
    if !(report.entries.is_empty() && fork::is_child_without_cleanups()) {
        Destination::from_env().write(report, give_up_at);
    }
}

/// Adds the final run's progress so far to a snapshot report.
pub(crate) fn add_progress(registry: &Registry, report: &mut Report) {
    if let Some(run) = registry.final_run.as_ref() {
        report.trigger = run.trigger;
        report.status = run.status;
        report.signal = run.signal;
        report.entries.extend(run.ended().iter().cloned());
    }
}

/// Our panic hook saw the runner thread panic in a way that cannot unwind:
/// a cleanup called `std::process::exit` (std's re-entry guard), or any
/// panic in a `panic = "abort"` build. The current cleanup ends with
/// `status`; the rest run on a fresh thread; then the process ends as the
/// run says — with its exit status, by its signal, or (a run that is itself
/// before an abort) by returning to std, which aborts.
pub(crate) fn resume_after_fatal_panic(failure: Failure) {
    let (trigger, exit_status, signal) = registry::lock()
        .final_run
        .as_ref()
        .map_or((Trigger::Exit, 0, None), |r| {
            (r.trigger, r.status.unwrap_or(0), r.signal)
        });
    runner::finish_current(failure);
    run_rest_on_fresh_thread();
    finish();
    match signal {
        Some(libc::SIGABRT) if trigger == Trigger::Panic => {}
        Some(signal) => signals::die_now(signal),
        None => end_process(exit_status),
    }
}

/// Runs the rest of the final run on a new thread, as its runner, and
/// waits for it; from here if no thread can be started.
fn run_rest_on_fresh_thread() {
    let spawned = std::thread::Builder::new()
        .name("cleanup-final-run".to_owned())
        .spawn(|| {
            RUNNER.store(thread_token::current(), Ordering::Release);
            runner::run_entries(Target::Final);
        });
    match spawned {
        Ok(handle) => {
            let _ = handle.join();
        }
        Err(_) => runner::run_entries(Target::Final),
    }
}

/// Ends the process with `status` from inside the exit handlers: glibc runs
/// the handlers left (ours are done) and then `_exit`s. Stdout is flushed
/// first if that takes no more than 100 ms: std's own `exit` skips the
/// flush when another thread holds stdout, and a thread stuck in
/// `println!` on a full pipe would otherwise hold the process for good.
pub(crate) fn end_process(status: i32) -> ! {
    crate::diagnostics::flush_stdout_if_free();
    // SAFETY: `exit` may be called from an exit handler on glibc, which then
    // runs the remaining handlers and ends the process with this status
    // (FINDINGS.md); nothing of ours runs again, the state is DONE.
    unsafe { libc::exit(status) }
}
