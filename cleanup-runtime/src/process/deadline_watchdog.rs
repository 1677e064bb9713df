//! The deadline of the final run: a thread that waits for the run to be
//! done and, if the deadline passes first, writes the report and ends the
//! process itself.
//!
//! What must work when everything else is stuck waits on nothing a cleanup
//! or another thread can hold. The watchdog takes only the registry's lock
//! (which the runtime holds for a few instructions at a time and never
//! while user code runs: a cleanup's captures are dropped after it is
//! released, or not at all here), allocates, and reads `CLEANUP_REPORT`
//! (std's environment lock, held only while a variable is copied). It never
//! takes std's stdio locks: the report goes to fd 2 with `write(2)`
//! (`diagnostics`). And it never waits on the report to end the process:
//! the report, and anything else the runtime writes from the start of the
//! run on, gets [`REPORT_GRACE`] after the deadline; then the process ends
//! with whatever of it was written.

use std::time::{Duration, Instant};

use crate::base::{diagnostics, spawn};
use crate::process::final_run::{wait_until_done_for, write_report};
use crate::registry;
use crate::report::EntryStatus;
use crate::run::runner;

/// How long after the deadline the report may take to be written: a
/// stderr pipe nobody reads, or a file system that hangs, then ends the
/// process without the rest of it. Long enough for any reader that reads
/// and any disk that works; short enough to stay well inside the stop
/// timeouts of supervisors (systemd's 90 s, Docker's 10 s) when the
/// deadline is set a little below them.
pub(crate) const REPORT_GRACE: Duration = Duration::from_secs(2);

/// Starts the thread that ends the process if the final run is not done
/// within `limit`.
pub(crate) fn start(limit: Duration) {
    // The runner's own report, written as the run ends within the
    // deadline, is bound too: a stuck stderr must not hold a process whose
    // cleanups all ended in time.
    diagnostics::set_writes_give_up_at(Instant::now() + limit + REPORT_GRACE);
    let spawned = spawn::named(
        "cleanup-deadline",
        Box::new(move || {
            if !wait_until_done_for(Some(limit)) {
                give_up(limit);
            }
        }),
    );
    if let Err(error) = spawned {
        diagnostics::warn(format_args!(
            "could not start the deadline watchdog: {error}"
        ));
    }
}

/// The deadline passed: the running cleanup is marked `timeout`, those not
/// started `skipped`, the report is written (within [`REPORT_GRACE`]), and
/// the process ends at once — by its signal, or with the status it was
/// ending with. `_exit`, not `exit`: the hung cleanup may hold a lock that
/// the remaining exit handlers or stdio need.
fn give_up(limit: Duration) {
    let now = crate::base::clock::now();
    let (run, warnings) = {
        let mut registry = registry::lock();
        let Some(mut run) = registry.final_run.take() else {
            return; // finished meanwhile
        };
        crate::process::final_run::mark_given_up(&mut run);
        run.close(
            runner::failure(
                EntryStatus::Timeout,
                format!(
                    "still running when the deadline of {} passed",
                    crate::report::duration::Shown(limit)
                ),
            ),
            now,
        );
        runner::skip_pending(
            &mut registry.entries,
            &mut run,
            "not started: the deadline had passed",
        );
        let mut warnings = registry.entries.take_warnings();
        if registry.manual_runs > 0 {
            warnings.push(crate::report::Warning::ManualRunCutOff);
        }
        (run, warnings)
    };
    let status = run.status.unwrap_or(0);
    let mut report = run.into_report();
    report.warnings = warnings;
    // Bounded by the deadline plus REPORT_GRACE, set when this started.
    write_report(&report);
    // Read again: a first signal that arrived while the report was being
    // written ends the process too.
    if let Some(signal) = crate::base::ending::ending_signal() {
        crate::signals::die_now(signal);
    }
    // Windows: not `_exit`, which is `ExitProcess` there (`terminate`);
    // under Wine it got the process killed in 3 runs of 20.
    #[cfg(windows)]
    crate::process::terminate::now(status);
    // SAFETY: `_exit` ends the process at once; it is always safe to call.
    #[cfg(not(windows))]
    unsafe {
        libc::_exit(status)
    }
}
