//! The deadline of the final run: a thread that waits for the run to be
//! done and, if the deadline passes first, writes the report and ends the
//! process itself.

use std::time::Duration;

use crate::diagnostics;
use crate::final_run::{wait_until_done_for, write_report};
use crate::report::Status;
use crate::{registry, runner};

/// Starts the thread that ends the process if the final run is not done
/// within `limit`.
pub(crate) fn start(limit: Duration) {
    let spawned = std::thread::Builder::new()
        .name("cleanup-deadline".to_owned())
        .spawn(move || {
            if !wait_until_done_for(Some(limit)) {
                give_up(limit);
            }
        });
    if let Err(error) = spawned {
        diagnostics::warn(format_args!(
            "could not start the deadline watchdog: {error}"
        ));
    }
}

/// The deadline passed: the running cleanup is marked `timeout`, those not
/// started `skipped`, the report is written, and the process ends at once —
/// by its signal, or with the status it was ending with. `_exit`, not
/// `exit`: the hung cleanup may hold a lock that the remaining exit
/// handlers or stdio need.
fn give_up(limit: Duration) {
    let now = crate::clock::now();
    let run = {
        let mut registry = registry::lock();
        let Some(mut run) = registry.final_run.take() else {
            return; // finished meanwhile
        };
        crate::final_run::mark_given_up();
        run.close(
            runner::failure(
                Status::Timeout,
                format!(
                    "still running when the deadline of {} passed",
                    humantime::format_duration(limit)
                ),
            ),
            now,
        );
        while let Some((sequence, entry, _)) = registry.entries.pop_last() {
            let (action, origin) = entry.into_parts();
            run.skip(sequence, origin);
            // Not dropped: dropping a cleanup's captures runs code that may
            // hang as well.
            std::mem::forget(action);
        }
        run
    };
    let status = run.status.unwrap_or(0);
    let signal = run.signal;
    write_report(&run.into_report());
    if let Some(signal) = signal {
        crate::signals::die_now(signal);
    }
    // SAFETY: `_exit` ends the process at once; it is always safe to call.
    unsafe { libc::_exit(status) }
}
