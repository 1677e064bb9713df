//! `fork`: a cleanup runs only in the process that registered it.
//!
//! A forked child inherits a copy of the registry, and without care its
//! exit would run the parent's cleanups a second time — removing the
//! parent's pid file or temp dirs while the parent still uses them (puma,
//! redis and others hit this). So at `fork` the child sets the parent's
//! entries aside: they neither run nor show as pending in the child, and
//! its own registrations work as usual. A daemonizing child that takes
//! over from its parent calls [`adopt_after_fork`](crate::adopt_after_fork).
//!
//! The registry lock is taken around `fork` (prepare/parent/child
//! handlers), so the child never inherits it locked by a thread that does
//! not exist there. Those handlers allocate nothing and write nothing:
//! the prepare handler takes the lock without collecting the statics
//! (collecting allocates, sorts, and may warn on stderr), since an
//! allocator may itself be locked across `fork` by its own prepare
//! handler, as jemalloc's is, and one registered after ours runs before
//! ours. Statics not yet collected stay so: the parent collects them at
//! its next use of the registry, and a child only if it adopts.
//!
//! Shutdown (`shutdown/`) is the child's own too, adopted or not:
//! it does not listen until it calls `wait()` or `requested()` itself, and
//! is then woken by its own signals as its parent would be (the pre-fork
//! worker: a parent binds, forks workers, each drains on `SIGTERM`);
//! shutdown is not requested there, whatever its parent was told; its
//! parent's waiters are forgotten; and the signals it counts start again
//! from none, so its first signal is never taken for a second. The grace
//! period and the deadline are settings, and are inherited. The waiters'
//! lock is held across `fork` with the registry's.

use std::cell::UnsafeCell;
use std::sync::MutexGuard;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::base::{ending, system_calls};
use crate::registry::{self, Registry};
use crate::shutdown;
use crate::signals;

/// The pid of the process that registered the first cleanup (0 until then).
static ORIGINAL_PID: AtomicI32 = AtomicI32::new(0);
/// The pid of the process whose cleanups these are: the original one, or a
/// child that adopted them.
static OWNER_PID: AtomicI32 = AtomicI32::new(0);

/// The registry guard held from the prepare handler to the parent or child
/// handler, all on the forking thread.
/// The locks held across `fork`: the registry's, then the shutdown
/// waiters' (no thread holds the second while it takes the first).
type Held = (
    MutexGuard<'static, Registry>,
    MutexGuard<'static, shutdown::Waiters>,
);

struct HeldGuard(UnsafeCell<Option<Held>>);

// SAFETY: only touched by the forking thread between its prepare handler
// and its parent/child handler, while it holds the registry lock; a second
// forking thread waits for that lock in its own prepare handler first.
unsafe impl Sync for HeldGuard {}

static HELD: HeldGuard = HeldGuard(UnsafeCell::new(None));

/// Registers the fork handlers, with the exit handlers (see
/// `exit_hook::install_once`). Plain libc: may run before `main`.
pub(crate) fn install() {
    let pid = system_calls::process_id();
    ORIGINAL_PID.store(pid, Ordering::Relaxed);
    OWNER_PID.store(pid, Ordering::Relaxed);
    // SAFETY: registers three `extern "C"` functions that do not unwind.
    unsafe {
        libc::pthread_atfork(Some(prepare), Some(in_parent), Some(in_child));
    }
}

extern "C" fn prepare() {
    let registry = registry::lock_without_collecting();
    let waiters = shutdown::lock_for_fork();
    // SAFETY: see `HeldGuard`.
    unsafe { *HELD.0.get() = Some((registry, waiters)) };
}

extern "C" fn in_parent() {
    // SAFETY: see `HeldGuard`; dropping the guard unlocks the registry.
    drop(unsafe { (*HELD.0.get()).take() });
}

extern "C" fn in_child() {
    // SAFETY: see `HeldGuard`. In the child the forking thread is the only
    // thread, and the guard it holds is a valid lock of the copied mutex.
    let guard = unsafe { (*HELD.0.get()).take() };
    if let Some((mut registry, mut waiters)) = guard {
        registry.set_aside_for_fork_child();
        shutdown::forget_in_fork_child(&mut waiters);
    }
    signals::forget_watcher_after_fork();
    crate::registry::first_use::forget_after_fork();
    ending::forget_after_fork();
}

/// Whether this process is a forked child that did not adopt the cleanups.
pub(crate) fn is_child_without_cleanups() -> bool {
    let pid = system_calls::process_id();
    OWNER_PID.load(Ordering::Relaxed) != pid && ORIGINAL_PID.load(Ordering::Relaxed) != 0
}

/// Takes the parent's cleanups over in a forked child. See
/// [`crate::adopt_after_fork`].
pub(crate) fn adopt() -> bool {
    let adopted = registry::lock().adopt_inherited();
    OWNER_PID.store(system_calls::process_id(), Ordering::Relaxed);
    super::arm_signals();
    adopted
}
