//! Keeping a panicking thread from ending the process, without keeping
//! std's panic hook lock.
//!
//! The panics our hook acts on cannot unwind (std's guard against a nested
//! `process::exit`, any panic in a `panic = "abort"` build): std aborts as
//! soon as the hook returns. Yet another thread carries the final run on
//! and ends the process, so the panicking thread must not. It could wait
//! inside the hook, but std holds its hook's lock for reading while a hook
//! runs (`take_hook`/`set_hook` on any thread wait for it), and every cleanup that
//! calls `take_hook` or `set_hook` would then wait forever.
//!
//! So the thread returns from the hook and stops at the abort instead:
//! `abort()` raises SIGABRT on the calling thread, and our handler for it
//! blocks that thread for good, after std has released its lock. A SIGABRT
//! on any other thread (an `abort()` elsewhere meanwhile) ends the process
//! as the default action would. The handler does only async-signal-safe
//! work: a thread-local flag, `pause`, and what `signals::die_now` does.
//!
//! The handler is installed only over the default action: a program that
//! handles SIGABRT itself keeps its handler, and the thread then blocks
//! inside the hook, as before. In an unwinding build std prints "thread
//! caused non-unwinding panic. aborting." for the nested `exit` before it
//! aborts; the process then ends as the run says.

use std::cell::Cell;
use std::ffi::c_int;

use crate::base::signal_calls;

thread_local! {
    /// Whether this thread stops at its abort. A `const` `Cell<bool>`: no
    /// lazy set-up and no destructor, so reading it in the handler is a
    /// plain load, also on the main thread inside `exit`, whose other
    /// thread-locals are gone.
    static STOP_HERE: Cell<bool> = const { Cell::new(false) };
}

/// From our hook: this thread must never end the process, and std aborts
/// as soon as the hook returns. Arranges for the thread to stop at that
/// abort; where that cannot be arranged (the program has a SIGABRT handler
/// of its own), stops it here.
pub(super) fn stop_at_the_abort() {
    STOP_HERE.set(true);
    if !take_sigabrt() {
        crate::base::park::forever();
    }
    unblock_sigabrt();
}

/// Installs [`on_abort`] for SIGABRT unless the program has a handler of
/// its own there; returns whether ours is in place.
fn take_sigabrt() -> bool {
    let ours = on_abort as extern "C" fn(c_int) as libc::sighandler_t;
    // SAFETY: a zeroed sigaction is a valid out-parameter and a valid
    // start for a new action; `on_abort` has the handler's signature and
    // is async-signal-safe.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGABRT, std::ptr::null(), &mut current) != 0 {
            return false;
        }
        if current.sa_sigaction == ours {
            return true;
        }
        if current.sa_sigaction != libc::SIG_DFL {
            return false;
        }
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ours;
        action.sa_mask = signal_calls::empty_set();
        libc::sigaction(libc::SIGABRT, &action, std::ptr::null_mut()) == 0
    }
}

/// A thread that blocks SIGABRT would get it only once `abort` has put the
/// default action back (as newer glibc and musl do): unblock it here, on a
/// thread that is about to abort anyway.
fn unblock_sigabrt() {
    signal_calls::unblock(libc::SIGABRT);
}

/// Async-signal-safe: a thread-local load, `pause`, and `die_now`'s
/// `sigaction`, `sigprocmask`, `raise` and `_exit`.
extern "C" fn on_abort(_: c_int) {
    if STOP_HERE.get() {
        crate::base::park::forever();
    }
    crate::signals::die_now(libc::SIGABRT)
}
