//! Whether any cleanup may be waiting to run, for the signal handler,
//! which may not take the registry's lock: the registry (`registry/`)
//! mirrors its count of pending entries here, and the constructor of a
//! program's static cleanups marks them declared before `main`. With
//! nothing pending a signal takes its default action at once, without
//! waking the signal thread.
//!
//! Atomics only: async-signal-safe.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Pending entries, as the registry last counted them.
static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Set before `main` when the program declares static cleanups, cleared
/// once they are collected (from then on [`PENDING`] counts them).
static STATICS_UNCOLLECTED: AtomicBool = AtomicBool::new(false);

/// Whether any cleanup may be waiting to run. Async-signal-safe.
pub(crate) fn anything_pending() -> bool {
    PENDING.load(Ordering::Relaxed) > 0 || STATICS_UNCOLLECTED.load(Ordering::Relaxed)
}

/// The registry counts `live` entries pending. Inlined: it is on every
/// registration's path.
#[inline]
pub(crate) fn set_count(live: usize) {
    PENDING.store(live, Ordering::Relaxed);
}

/// The program declares static cleanups (from their constructor, before
/// `main`), or (`false`) they are collected now.
pub(crate) fn set_statics_uncollected(uncollected: bool) {
    STATICS_UNCOLLECTED.store(uncollected, Ordering::Relaxed);
}
