//! What the signal handler needs to know about listeners: whether the
//! program listens for shutdown (`shutdown/`), which signal (if
//! any) was taken as its shutdown request, whether another came after it,
//! and the first handled signal, for the report (`report/`) and the final
//! run (`process/`), which sit on either side of `signals/`: so it lives
//! here, at the bottom.
//!
//! Async-signal-safe: lock-free atomics only, read and written from inside
//! the signal handler.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// Set for good at the program's first `wait()` or `requested()`.
static LISTENING: AtomicBool = AtomicBool::new(false);
/// The handled signal taken as the shutdown request, whose grace period
/// runs (0: none yet). Set once; a later signal is a second signal.
static REQUEST_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The first handled signal after the one taken as the request (0: none):
/// a second signal during the grace period.
static LATER_SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The first handled signal that arrived, listened for or not (0: none):
/// the report's `shutdown_signal`.
static FIRST_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The program listens from now on.
pub(crate) fn start() {
    LISTENING.store(true, Ordering::SeqCst);
}

/// Whether the program has listened.
pub(crate) fn is_listening() -> bool {
    LISTENING.load(Ordering::SeqCst)
}

/// From the signal handler, for every handled `signal`: records it as the
/// first one if none is recorded, and returns whether it is taken as the
/// shutdown request (the program listens and no signal was taken before):
/// then it starts the grace period instead of the cleanups. A signal after
/// the request is recorded as the later one. Async-signal-safe: a few
/// atomic operations.
pub(crate) fn take_as_request(signal: i32) -> bool {
    let _ = FIRST_SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    if !LISTENING.load(Ordering::SeqCst) {
        return false;
    }
    match REQUEST_SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => true,
        Err(_) => {
            let _ = LATER_SIGNAL.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
            false
        }
    }
}

/// The first handled signal after the shutdown request, if one came: it
/// ends the grace period at once.
pub(crate) fn signal_after_request() -> Option<i32> {
    match LATER_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The signal taken as the shutdown request, if one was.
pub(crate) fn request_signal() -> Option<i32> {
    match REQUEST_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The first handled signal that arrived, if any (the report's
/// `shutdown_signal`).
pub(crate) fn first_signal() -> Option<i32> {
    match FIRST_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// In a forked child: listening, the request and the signals seen are the
/// parent's. The child listens once it calls `wait()` or `requested()`
/// itself, and its first signal is its own first.
#[cfg(unix)]
pub(crate) fn forget_after_fork() {
    LISTENING.store(false, Ordering::Relaxed);
    REQUEST_SIGNAL.store(0, Ordering::Relaxed);
    LATER_SIGNAL.store(0, Ordering::Relaxed);
    FIRST_SIGNAL.store(0, Ordering::Relaxed);
}
