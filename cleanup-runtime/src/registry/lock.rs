//! The registry's lock: taken for a few dozen instructions at a time, with
//! a short back-off before sleeping (see [`lock_contended`]), and the
//! statics collected at the first lock.

use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use super::{Intake, Registry};

static REGISTRY: Mutex<Registry> = Mutex::new(Registry::new());

/// Locks the registry, collecting the statics on first use.
///
/// A poisoned lock is taken as it is: the registry's invariants hold between
/// any two statements that could panic, and refusing to run cleanups because
/// some thread once panicked would break the crate's one promise.
#[inline]
pub(crate) fn lock() -> MutexGuard<'static, Registry> {
    let mut registry = try_lock().unwrap_or_else(lock_contended);
    if registry.entries.intake == Intake::Uncollected {
        registry.entries.collect_statics();
    }
    registry
}

/// Locks the registry as it is, the statics not collected if they were
/// not yet. Two callers need that: the `fork` prepare handler, which must
/// not allocate, sort or write a warning inside `fork` (a parent collects
/// them at its next [`lock`]; a child sets them aside with the rest,
/// [`Registry::set_aside_for_fork_child`]); and registration, which tests
/// [`Entries::intake`] for [`Intake::Open`] — the one test [`lock`] makes
/// too — and takes the slow way for any other state (statics to collect,
/// the final run going on or over).
#[inline]
pub(crate) fn lock_without_collecting() -> MutexGuard<'static, Registry> {
    try_lock().unwrap_or_else(lock_contended)
}

/// The lock is held for a few dozen instructions at a time, so a thread
/// that finds it taken backs off and tries again for a while before
/// sleeping on it. Sleeping at once (std's `lock` spins only briefly) turns
/// two threads registering together into a convoy: every unlock then wakes
/// the sleeper with a system call, and the pair runs slower than either
/// thread alone (BENCHMARKS.md, "two threads").
#[cold]
#[inline(never)]
fn lock_contended() -> MutexGuard<'static, Registry> {
    for round in 0..SPIN_ROUNDS {
        for _ in 0..1u32 << round {
            std::hint::spin_loop();
        }
        if let Some(registry) = try_lock() {
            return registry;
        }
    }
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The registry if it is free now (poisoned or not, see [`lock`]).
#[inline]
fn try_lock() -> Option<MutexGuard<'static, Registry>> {
    match REGISTRY.try_lock() {
        Ok(registry) => Some(registry),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Backoff rounds before sleeping: 2^0 + ... + 2^9 pause instructions, a few
/// microseconds, far more than the lock is ever held for but well under a
/// scheduler time slice.
const SPIN_ROUNDS: u32 = 10;
