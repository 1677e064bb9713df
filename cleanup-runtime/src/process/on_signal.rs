//! What the process does once a handled signal has reached a normal
//! thread, where locks, allocation and I/O are allowed: the signal thread
//! on Unix, the console control handler's thread on Windows. This is what
//! `process::arm_signals` hands the signal floor (`signals/`) to call.

use std::ffi::c_int;
use std::time::Duration;

use super::{final_run, grace_wait};
use crate::base::listening;

/// Runs the cleanups for `signal` (or waits for the run that started
/// another way since it arrived), then ends the process by it.
///
/// A listening program's shutdown request comes first to the grace period,
/// unless a second signal came already (its mark may have merged with the
/// request's); if the program begins ending on its own within the grace,
/// its own end stands and this returns. `wait` blocks until the next
/// signal arrives or the time it is given has passed (`None`: no limit).
pub(crate) fn act_on(signal: c_int, wait: &mut dyn FnMut(Option<Duration>)) {
    let ending = match listening::signal_after_request() {
        None if listening::request_signal() == Some(signal) => {
            match grace_wait::wait_out(signal, wait) {
                Some(second) => second,
                None => return,
            }
        }
        later => later.unwrap_or(signal),
    };
    crate::signals::die_now(final_run::run_for_signal(ending));
}
