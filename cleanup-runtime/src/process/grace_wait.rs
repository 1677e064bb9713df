//! A listening program's shutdown after its first signal, on the thread
//! that acts on signals (`on_signal`): the delay (readiness already fails,
//! `shutdown::is_pending`), then the waiters are woken and the program has
//! the grace period to end on its own. A second signal ends either wait at
//! once.

use std::ffi::c_int;
use std::time::{Duration, Instant};

use crate::base::listening;
use crate::process::systemd;

/// Waits out the delay after `signal`, the shutdown request, then wakes
/// the waiters and waits out the grace period, with `wait` (which returns
/// when the next signal arrives or its limit has passed). Returns the
/// signal the process must now end by after the cleanups if a second one
/// arrived first. When the grace is over, runs the cleanups and ends the
/// process by `signal`, unless the program began ending on its own
/// meanwhile: then returns `None`, and its own end stands.
pub(super) fn wait_out(signal: c_int, wait: &mut dyn FnMut(Option<Duration>)) -> Option<c_int> {
    let delay = crate::shutdown::delay_for_signal();
    systemd::shutdown_started(signal, delay);
    if let Some(second) = wait_for(delay, wait) {
        return Some(second);
    }
    let grace = crate::shutdown::requested_by_signal(signal);
    if let Some(second) = wait_for(grace, wait) {
        return Some(second);
    }
    if super::final_run::run_after_grace(signal) {
        crate::signals::die_now(signal);
    }
    None
}

/// Waits until `limit` has passed (`None`), or returns the second signal
/// as soon as one has arrived.
fn wait_for(limit: Duration, wait: &mut dyn FnMut(Option<Duration>)) -> Option<c_int> {
    let ends_at = Instant::now().checked_add(limit);
    loop {
        // Checked on every wake-up, not only for a signal of its own: a
        // second signal's mark may have merged with the request's.
        if let Some(second) = listening::signal_after_request() {
            return Some(second);
        }
        let left = ends_at.map(|at| at.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            return None;
        }
        wait(left);
    }
}
