//! What our panic hook must do but not inside the hook, done right after
//! it, on the same thread.
//!
//! std holds its hook's lock for reading while a hook runs (FINDINGS.md,
//! "The panic hook's lock"): a hook that carried the final run on, or
//! waited for it, would leave every cleanup that calls `take_hook` or
//! `set_hook` waiting forever. Nor can the hook just return: the panics it
//! acts on cannot unwind (std's guard against a nested `process::exit`, any
//! panic in a `panic = "abort"` build), so std aborts as soon as it
//! returns.
//!
//! That abort is the way out. `abort()` raises SIGABRT on the calling
//! thread, and a handler for it runs there after std has released its
//! lock. So the hook leaves what this thread must do in a thread-local
//! slot, installs the handler, and returns; the handler does it, and that
//! work ends the process or never returns. A SIGABRT that finds nothing to
//! do on its thread (an `abort()` elsewhere meanwhile) ends the process as
//! the default action would.
//!
//! The handler is installed only over the default action: a program that
//! handles SIGABRT itself keeps its handler, and the work then happens
//! inside the hook, under the lock. The work is not async-signal-safe, and
//! need not be: the signal is raised synchronously by `abort()`, which
//! (glibc, musl) raises it before taking a lock of its own, on a thread
//! that leaves std's panic machinery holding nothing. In an unwinding build
//! std first prints "thread caused non-unwinding panic. aborting." for the
//! nested `exit`; the process then ends as the run says.

use std::cell::Cell;
use std::ffi::c_int;

thread_local! {
    /// What this thread does when the abort that follows our hook arrives.
    /// A `const` `Cell` of a plain function pointer: no lazy set-up and no
    /// destructor, so reading it in the handler is a plain load, also on
    /// the main thread inside `exit`, whose other thread-locals are gone.
    static NEXT: Cell<Option<fn()>> = const { Cell::new(None) };
}

/// Does `next` on this thread once std's hook lock is released: when std
/// aborts after our hook returns. Where that cannot be arranged (the
/// program has its own SIGABRT handler), does it now.
pub(super) fn then(next: fn()) {
    NEXT.set(Some(next));
    if !take_sigabrt() {
        NEXT.set(None);
        next();
    }
}

/// Installs [`on_abort`] for SIGABRT unless the program has a handler of
/// its own there; returns whether ours is in place.
fn take_sigabrt() -> bool {
    let ours = on_abort as extern "C" fn(c_int) as libc::sighandler_t;
    // SAFETY: a zeroed sigaction is a valid out-parameter and a valid
    // start for a new action; `on_abort` has the handler's signature. With
    // SA_NODEFER a thread started by the work inherits SIGABRT unblocked,
    // so its own abort reaches the handler too.
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
        action.sa_flags = libc::SA_NODEFER;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGABRT, &action, std::ptr::null_mut()) == 0
    }
}

extern "C" fn on_abort(_: c_int) {
    if let Some(next) = NEXT.replace(None) {
        next();
    }
    crate::signals::die_now(libc::SIGABRT)
}
