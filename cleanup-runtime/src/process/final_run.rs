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
//!
//! "The runner" is the thread carrying the run on, and also the helper
//! thread running its current timed cleanup (`timed_helper`): a cleanup's
//! `exit` or fatal panic there ends that cleanup, not the run.
//!
//! How the process ends is decided once: a handled signal that arrived
//! before the run started ends it by that signal whoever runs the cleanups
//! ([`signal_arrived`] records it from the signal handler, and the run
//! adopts it), and so does the signal that started the run, whatever a
//! cleanup then asks for; otherwise the exit status. In a program that
//! listens for shutdown the first such signal is only its request: it is
//! not recorded, and starts the grace period ([`run_after_grace`] when it
//! is over). Whichever thread
//! finishes the run ends the process that way, and a thread that meets the
//! finished run on its own way out (a second `exit`) does the same rather
//! than overtaking it.

use std::sync::{Condvar, Mutex, PoisonError};

use crate::base::ending::{self, asked_status, ending_signal, record_ending_signal};
use crate::base::{park, spawn, thread_token};
use crate::process::{deadline_watchdog, fork, panic_hook, sandbox, systemd};
use crate::registry;
use crate::report::destination::Destination;
use crate::report::record::Run;
use crate::report::{Report, Trigger};
use crate::run::deadline;
use crate::run::runner::{self, Failure, Target};
use crate::run::timed_helper;
use crate::signals;

/// Woken when the final run is done (`ending` says so; waiters check it
/// under this lock, and `finish` notifies under it, so no wake-up is lost).
static DONE_SIGNAL: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());

/// Starts the final run if none has started: claims it, starts the
/// deadline watchdog, and makes sure our panic hook is in place.
///
/// The order matters. Nothing before the watchdog may wait on a lock that
/// another thread can hold for long: the state is atomics, the registry
/// lock is held a few instructions at a time by design, and the deadline
/// is read through std's environment lock, held only while a variable is
/// copied. Re-installing the panic hook comes last because it is the one
/// step that can wait on another thread: std's hook lock, which a thread
/// stuck inside a hook holds (the default hook blocked writing to a stderr
/// pipe nobody reads). When that thread is inside our own hook, ours is
/// still the installed one and nothing is taken (`panic_hook::install`);
/// otherwise the wait is bounded by the watchdog already running.
fn begin(trigger: Trigger, status: Option<i32>, signal: Option<i32>) -> bool {
    if !ending::claim_final_run() {
        return false;
    }
    // A handled signal that arrived first decides how the run ends, even if
    // the signal watcher has not read it yet and this run started another
    // way (`main` returned meanwhile).
    let ending = match signal {
        Some(signal) => record_ending_signal(signal),
        None => ending_signal().unwrap_or(0),
    };
    let run = if ending != 0 && signal != Some(ending) {
        Run::new(Trigger::Signal, None, Some(ending))
    } else {
        Run::new(trigger, status, signal)
    };
    let anything_to_run = {
        let mut registry = registry::lock();
        registry.final_run = Some(run);
        registry.entries.begin_final_run();
        registry.entries.len() > 0
    };
    let limit = deadline::for_exit_run();
    if let Some(limit) = limit {
        deadline_watchdog::start(limit);
    }
    systemd::run_started(limit);
    #[cfg(feature = "tokio")]
    crate::run::async_driver::retire_for_final_run();
    if anything_to_run {
        // Chained over whatever hook the program installed since, so a
        // cleanup that calls `std::process::exit` is noticed.
        panic_hook::install();
    }
    true
}

/// A signal that arrived while the run went on (the first one, which let
/// it finish) is the one the process ends by: the record says so, and the
/// status it was ending with no longer applies.
fn adopt_late_signal(run: &mut Run) {
    if run.signal.is_none()
        && let Some(signal) = ending_signal()
    {
        run.signal = Some(signal);
        run.status = None;
    }
}

/// From the signal watcher thread, when a listening program's grace period
/// after `signal` is over: runs the cleanups, after which the process ends
/// by `signal` (ended here, by [`conclude`]). Returns `false` at once if
/// the program began ending on its own meanwhile: its own end stands.
pub(crate) fn run_after_grace(signal: i32) -> bool {
    if !begin(Trigger::Signal, None, Some(signal)) {
        return false;
    }
    run_on_the_signal_thread();
    conclude();
    true
}

/// On the signal thread: the cleanups, unless this thread is outside the
/// program's sandbox (`sandbox`): then none runs here, each is reported
/// `skipped`, one line on stderr and a report warning say why, and the
/// process still ends by the signal.
fn run_on_the_signal_thread() {
    match sandbox::calling_thread_looser_than_main() {
        None => runner::run_entries(Target::Final),
        Some(looser) => run_none(&looser),
    }
}

/// Skips every pending cleanup of the final run, saying why.
#[cold]
fn run_none(looser: &sandbox::Looser) {
    let why = crate::report::Warning::OutsideSandbox {
        detail: looser.to_string(),
    };
    crate::base::diagnostics::warn(format_args!("{why}"));
    let mut registry = registry::lock();
    let registry::Registry {
        entries, final_run, ..
    } = &mut *registry;
    if let Some(run) = final_run.as_mut() {
        runner::skip_pending(
            entries,
            run,
            "not run: the signal thread is outside the program's sandbox",
        );
    }
    entries.add_warning(why);
}

/// From the exit hook, with the status `exit` was given (`None` where the
/// platform does not say: then the one [`crate::exit`] was given, if it
/// was the way out).
pub(crate) fn run_at_exit(status: Option<i32>) {
    let status = status.or_else(asked_status);
    let trigger = if status == Some(101) && panic_hook::main_thread_panicked() {
        Trigger::Panic
    } else {
        Trigger::Exit
    };
    if begin(trigger, status, None) {
        runner::run_entries(Target::Final);
        conclude_instead_of(status);
    }
}

/// From the signal watcher thread: runs the cleanups for `signal`, or, if
/// the final run had started another way since the signal arrived, waits
/// for it (it adopted the signal). Returns the signal the process must now
/// end by; the run's finisher may have ended it already.
pub(crate) fn run_for_signal(signal: i32) -> i32 {
    if begin(Trigger::Signal, None, Some(signal)) {
        run_on_the_signal_thread();
        conclude();
    } else {
        wait_until_done();
    }
    ending_signal().unwrap_or(signal)
}

/// From our panic hook in a `panic = "abort"` build, before std aborts.
/// Returns whether another thread now ends the process, so this one must
/// never get past the abort (see `panic_hook`).
///
/// The panic starts the final run if none has: it runs on a fresh thread,
/// which then ends the process by SIGABRT. If a run is going on, the
/// process ends by this abort once that run is done (unless it ends by a
/// signal already); its finisher ends it.
pub(crate) fn run_before_abort() -> bool {
    if begin(Trigger::Panic, None, Some(libc::SIGABRT)) {
        run_rest_on_fresh_thread();
        return true;
    }
    if ending::is_done() {
        return false;
    }
    if let Some(run) = registry::lock().final_run.as_mut()
        && run.signal.is_none()
    {
        run.trigger = Trigger::Panic;
        run.status = None;
        run.signal = Some(record_ending_signal(libc::SIGABRT));
    }
    true
}

/// Whether the calling thread runs a timed cleanup of the final run: it is
/// the helper of the current one, or was until its timeout passed.
pub(crate) fn is_timed_helper() -> bool {
    timed_helper::is_here()
}

/// The runner leaves the current cleanup by ending the process again:
/// count that cleanup as done, run the rest, write the report, and end the
/// process if it must end otherwise than the caller will (by a signal, or
/// with a status a later cleanup set). `status` becomes the exit status
/// when the new exit gives one and the run does not end by a signal.
///
/// On the helper of a timed cleanup only that cleanup ends: the runner is
/// told, and this thread never returns.
pub(crate) fn continue_after_exit_call(status: Option<i32>) {
    if timed_helper::is_here() {
        timed_helper::hand_back(thread_token::current(), None, || set_exit_status(status));
        park::forever();
    }
    runner::finish_current(None);
    set_exit_status(status);
    runner::run_entries(Target::Final);
    conclude_instead_of(status);
}

/// A cleanup asked for exit `status`: it becomes the run's, unless the run
/// ends by a signal (the signal is what the parent must see).
fn set_exit_status(status: Option<i32>) {
    if let (Some(status), Some(run)) = (status, registry::lock().final_run.as_mut())
        && run.signal.is_none()
    {
        run.status = Some(status);
    }
}

/// The second exit handler: reached after our first one returned (nothing
/// to do), from a cleanup that called `libc::exit` (resume the run), or by
/// another thread that called `exit` meanwhile (wait, so the process does
/// not end under the cleanups; then end it by the run's signal if it ends
/// by one, so a plain `exit` never overtakes a death by signal).
pub(crate) fn exit_barrier(status: Option<i32>) {
    if ending::is_idle() {
        run_at_exit(status);
    } else if ending::is_final_runner() {
        continue_after_exit_call(status);
    } else if ending::is_running() {
        wait_until_done();
        end_by_the_ending_signal();
    } else if ending::gave_up() {
        wait_for_the_watchdog();
    } else {
        end_by_the_ending_signal();
    }
}

/// Called by the watchdog, under the registry lock, as it takes the run's
/// record: from now on it alone writes the report and ends the process
/// (by [`ending_signal`], read again once the report is written).
pub(crate) fn mark_given_up(run: &mut Run) {
    ending::mark_given_up();
    adopt_late_signal(run);
}

/// Blocks a thread that would otherwise end the process (return from the
/// exit handlers, re-raise a signal) while the watchdog writes the report
/// and ends it.
fn wait_for_the_watchdog() -> ! {
    park::forever()
}

fn wait_until_done() {
    wait_until_done_for(None);
}

/// Waits until the final run is done, or at most `limit`; returns whether
/// it is done.
pub(crate) fn wait_until_done_for(limit: Option<std::time::Duration>) -> bool {
    let is_running = |_: &mut ()| !ending::is_done();
    let (lock, woken) = &DONE_SIGNAL;
    let guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
    match limit {
        None => drop(woken.wait_while(guard, is_running)),
        Some(limit) => drop(woken.wait_timeout_while(guard, limit, is_running)),
    }
    ending::is_done()
}

/// The run's last step, on the thread that carried it: writes the report
/// ([`finish`]) and ends the process by the run's signal if it ends by
/// one. Otherwise returns the exit status the run ends with.
fn conclude() -> Option<i32> {
    let status = registry::lock()
        .final_run
        .as_ref()
        .and_then(|run| run.status);
    finish();
    end_by_the_ending_signal();
    status
}

/// [`conclude`], from a caller that will end the process with
/// `caller_status`: ends it here if the run's status differs (a timed
/// cleanup's `exit` changed it on its own thread).
fn conclude_instead_of(caller_status: Option<i32>) {
    if let Some(status) = conclude()
        && Some(status) != caller_status
    {
        end_process(status);
    }
}

/// Ends the process by the signal the final run ends by, if any.
fn end_by_the_ending_signal() {
    if let Some(signal) = ending_signal() {
        signals::die_now(signal);
    }
}

/// Flushes the logger, writes the final report and marks the run done.
fn finish() {
    crate::run::log_flush::flush_after_cleanups();
    let Some((run, warnings)) = take_record_sealed() else {
        if ending::gave_up() {
            wait_for_the_watchdog();
        }
        return;
    };
    // Feature `tracing`: a record completed outside the loop (the cleanup
    // that ended the run by `exit` or a fatal panic) has its event here.
    #[cfg(feature = "tracing")]
    let run = {
        let mut run = run;
        let listening = crate::run::events::wanted();
        crate::run::events::RunSpan::default().emit(run.unannounced(listening));
        run
    };
    let mut report = run.into_report();
    report.warnings = warnings;
    // Bound by the deadline, if the run has one (see `deadline_watchdog::start`).
    write_report(&report);
    // The process is ending: freeing every record one by one would only
    // delay it (about a tenth of the run's cost per cleanup, BENCHMARKS.md).
    std::mem::forget(report);
    ending::mark_done();
    let (lock, woken) = &DONE_SIGNAL;
    let _guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
    woken.notify_all();
}

/// Takes the run's record once the registry is empty and no manual run
/// ([`crate::run_now`] on another thread) is still running a cleanup,
/// sealing it in the same lock (see `intake`): an entry that another
/// thread added just as the loop ended (it is parked now) runs first, none
/// added after is left where nothing would run it, and what a manual run
/// did is in the record (it adds its entries when it ends). With it, the
/// warnings the run left in the registry (cycles of ordering constraints),
/// and the signal that arrived meanwhile, if one did.
///
/// The wait for a manual run is bounded by the deadline: the watchdog
/// takes the record and ends the process when it passes.
fn take_record_sealed() -> Option<(Run, Vec<crate::report::Warning>)> {
    loop {
        let mut registry = registry::lock();
        if registry.final_run.is_some() && registry.manual_runs > 0 {
            drop(runner::wait_for_manual_runs(registry));
            continue;
        }
        if registry.entries.len() == 0 || registry.final_run.is_none() {
            registry.entries.seal();
            let mut run = registry.final_run.take()?;
            adopt_late_signal(&mut run);
            return Some((run, registry.entries.take_warnings()));
        }
        drop(registry);
        runner::run_entries(Target::Final);
    }
}

/// Writes the report where `CLEANUP_REPORT` says, bounded by the run's
/// deadline if it has one (see [`Destination::write`]). A forked child with
/// nothing of its own to clean up stays silent: its empty report would only
/// overwrite its parent's.
pub(crate) fn write_report(report: &Report) {
    if !(report.entries.is_empty() && fork::is_child_without_cleanups()) {
        Destination::from_env().write(report);
    }
}

/// Our panic hook saw the runner thread panic in a way that cannot unwind:
/// a cleanup called `std::process::exit` (std's re-entry guard), or any
/// panic in a `panic = "abort"` build. The current cleanup ends with
/// `failure`, and the rest of the run goes on on a fresh thread, which
/// ends the process; this one must never get past the abort std makes
/// next (see `panic_hook`).
pub(crate) fn resume_after_fatal_panic(failure: Failure) {
    runner::finish_current(failure);
    run_rest_on_fresh_thread();
}

/// Our panic hook saw a timed cleanup of the final run panic on its helper
/// thread in a `panic = "abort"` build: that cleanup ends with `failure`
/// and the runner goes on (if it still waits for it: a cleanup abandoned at
/// its timeout changes nothing). This thread must never get past the abort.
pub(crate) fn timed_cleanup_panicked(failure: Failure) {
    timed_helper::hand_back(thread_token::current(), failure, || {});
}

/// Carries the rest of the final run on on a new thread, as its runner,
/// which then ends the process as the run says: by its signal (SIGABRT for
/// a run before an abort), or with its exit status.
///
/// Not on the calling thread: it is inside std's panic hook, whose lock a
/// cleanup that calls `take_hook`/`set_hook` needs, and it is panicking, so
/// it may not touch the hook at all, and in a `panic = "abort"` build any
/// panic there aborts at once. Nor does it wait for the new thread: it
/// returns from the hook at once, releasing the lock. Only if no thread can
/// be started does the rest run here.
fn run_rest_on_fresh_thread() {
    let spawned = spawn::named(
        "cleanup-final-run",
        Box::new(|| {
            ending::set_runner();
            run_rest_then_end();
        }),
    );
    if spawned.is_err() {
        run_rest_then_end();
    }
}

fn run_rest_then_end() -> ! {
    runner::run_entries(Target::Final);
    let status = conclude().unwrap_or(0);
    // A run that ends with a status is the run at exit: the thread that
    // panicked is inside the C library's `exit`, stopped for good. glibc
    // and the other Unixes let this thread call `exit` meanwhile; the
    // Windows C runtime's `exit` would wait for that thread's exit lock
    // forever (found under Wine), so the process ends without it there.
    #[cfg(windows)]
    {
        crate::base::diagnostics::flush_stdout_if_free();
        crate::process::terminate::now(status)
    }
    #[cfg(not(windows))]
    end_process(status)
}

/// Ends the process with `status` from inside the exit handlers: glibc runs
/// the handlers left (ours are done) and then `_exit`s. Stdout is flushed
/// first if that takes no more than 100 ms: std's own `exit` skips the
/// flush when another thread holds stdout, and a thread stuck in
/// `println!` on a full pipe would otherwise hold the process for good.
pub(crate) fn end_process(status: i32) -> ! {
    crate::base::diagnostics::flush_stdout_if_free();
    // SAFETY: `exit` may be called from an exit handler on glibc, which then
    // runs the remaining handlers and ends the process with this status
    // (measured on glibc 2.36: undefined by POSIX, done by glibc's `exit`,
    // which walks its handler list again); nothing of ours runs again,
    // the state is DONE.
    unsafe { libc::exit(status) }
}
