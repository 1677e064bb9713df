//! A listening program's grace period, on the signal watcher thread: the
//! waiters are woken, and the program has the grace period to end on its
//! own. The watcher keeps reading its wake pipe meanwhile, so a second
//! signal ends the wait at once.

use std::ffi::c_int;
use std::time::{Duration, Instant};

use super::super::handler;
use crate::base::listening;

/// Wakes the waiters for `signal`, the shutdown request, and waits out the
/// grace period. Returns the signal the process must now end by after the
/// cleanups if a second one arrived first. When the grace is over, runs
/// the cleanups and ends the process by `signal`, unless the program began
/// ending on its own meanwhile: then returns `None`, and its own end
/// stands.
pub(in crate::signals) fn wait_out(signal: c_int, read_fd: c_int) -> Option<c_int> {
    let grace = super::requested_by_signal();
    let ends_at = Instant::now().checked_add(grace);
    loop {
        // Checked on every wake-up, not only for a byte of its own: a
        // second signal's mark may have merged with the request's.
        if let Some(second) = listening::signal_after_request() {
            return Some(second);
        }
        let left = ends_at.map(|at| at.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            break;
        }
        if readable_within(read_fd, left) {
            drain_one_byte(read_fd);
        }
    }
    if (crate::UPWARD.run_after_grace)(signal) {
        handler::die_now(signal);
    }
    None
}

/// Whether `fd` has a byte to read within `limit` (`None`: no limit).
fn readable_within(fd: c_int, limit: Option<Duration>) -> bool {
    // poll takes whole milliseconds as a c_int: rounded up (no busy loop
    // of zero-length polls), capped at about 24 days (the loop polls
    // again).
    let millis = limit.map_or(-1, |left| {
        c_int::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(c_int::MAX)
    });
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid, initialised pollfd; poll writes only its
    // `revents`.
    let ready = unsafe { libc::poll(&mut pollfd, 1, millis) };
    ready == 1 && pollfd.revents & libc::POLLIN != 0
}

/// Reads one byte from the wake pipe and takes the mark it stands for, if
/// our handler made one (see `handler::take_received`); the signal itself
/// is read from `listening`, which the handler wrote first.
fn drain_one_byte(fd: c_int) {
    let mut byte = 0u8;
    // SAFETY: reads one byte into a live local from a pipe we own.
    if unsafe { libc::read(fd, (&mut byte as *mut u8).cast(), 1) } == 1 {
        let _ = handler::take_received(byte);
    }
}
