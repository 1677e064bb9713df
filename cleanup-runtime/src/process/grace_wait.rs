//! A listening program's grace period, on the thread that acts on signals
//! (`on_signal`): the waiters are woken, and the program has the
//! grace period to end on its own. A second signal ends the wait at once.

use std::ffi::c_int;
use std::time::{Duration, Instant};

use crate::base::listening;

/// Wakes the waiters for `signal`, the shutdown request, and waits out the
/// grace period, with `wait` (which returns when the next signal arrives
/// or its limit has passed). Returns the signal the process must now end
/// by after the cleanups if a second one arrived first. When the grace is
/// over, runs the cleanups and ends the process by `signal`, unless the
/// program began ending on its own meanwhile: then returns `None`, and its
/// own end stands.
pub(super) fn wait_out(signal: c_int, wait: &mut dyn FnMut(Option<Duration>)) -> Option<c_int> {
    let grace = crate::shutdown::requested_by_signal();
    let ends_at = Instant::now().checked_add(grace);
    loop {
        // Checked on every wake-up, not only for a signal of its own: a
        // second signal's mark may have merged with the request's.
        if let Some(second) = listening::signal_after_request() {
            return Some(second);
        }
        let left = ends_at.map(|at| at.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            break;
        }
        wait(left);
    }
    if super::final_run::run_after_grace(signal) {
        crate::signals::die_now(signal);
    }
    None
}
