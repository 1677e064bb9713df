//! The runtime's first registration: what is set up only once a program
//! shows it has something to clean up.
//!
//! Nothing is set up before that — no constructor of the runtime's own, no
//! exit handler, no fork handler, no signal handler, no panic hook — so a
//! program that links the runtime and registers nothing runs as if it were
//! not there (BENCHMARKS.md, "Zero cleanups"). Declared cleanups are
//! "registered" before `main`: their constructor calls
//! [`crate::__private::static_declared`], which sets up the libc-level part.
//!
//! Every registration passes through [`ensure`], so after the first call
//! it is one relaxed load and a predictable branch. The set-up itself is
//! `process::activate`, a layer above: the cold first call reaches it
//! through [`crate::SET_UP`] (see [`crate::base::set_up`]).

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once everything `process::activate` does has been set up.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Sets the runtime up for cleanups, once per process.
#[inline]
pub(crate) fn ensure() {
    if !ACTIVE.load(Ordering::Relaxed) {
        activate();
    }
}

/// Two threads may get here at once; each step is itself once-only, and the
/// exit handlers are in place before either returns, so both leave with
/// everything set up.
#[cold]
#[inline(never)]
fn activate() {
    (crate::SET_UP.activate)();
    ACTIVE.store(true, Ordering::Relaxed);
}

/// In a forked child: the signal watcher stayed in the parent, so the
/// child's first registration must go through [`activate`] again to arm
/// the signals for itself (the steps already done are not repeated).
#[cfg(unix)]
pub(crate) fn forget_after_fork() {
    ACTIVE.store(false, Ordering::Relaxed);
}
