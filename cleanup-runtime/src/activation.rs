//! The runtime's first registration: what is set up only once a program
//! shows it has something to clean up.
//!
//! Every registration passes through [`ensure`], so after the first call
//! it is one relaxed load and a predictable branch.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::{panic_watch, signals};

/// Set once everything below has been set up.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Sets the runtime up for cleanups, once per process.
#[inline]
pub(crate) fn ensure() {
    if !ACTIVE.load(Ordering::Relaxed) {
        activate();
    }
}

/// Two threads may get here at once; each step is itself once-only, so
/// both leave with everything set up.
#[cold]
#[inline(never)]
fn activate() {
    panic_watch::install_once();
    signals::arm();
    ACTIVE.store(true, Ordering::Relaxed);
}
