//! The shutdown request and everyone waiting for it: blocked threads
//! ([`wait`]) and futures' [`Waker`]s.
//!
//! Woken on a normal thread — the signal watcher, or the caller of
//! `request()` — never inside the signal handler: waking runs the
//! executor's code and takes a lock.
//!
//! Written by hand rather than with `event-listener` or tokio's `Notify`:
//! none of the crates the runtime already depends on has a waiter list,
//! this one is a `Mutex<Vec<Waker>>` and a `Condvar`, and the runtime must
//! not depend on an executor.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use crate::base::spawn;

/// Why shutdown was requested, set for good once: [`NOT_YET`],
/// [`BY_PROGRAM`] (`request()`), or the signal's number.
static REASON: AtomicI32 = AtomicI32::new(NOT_YET);
const NOT_YET: i32 = 0;
const BY_PROGRAM: i32 = -1;
/// The futures waiting; blocked threads wait on [`WOKEN`] with this lock.
static WAITERS: Mutex<Waiters> = Mutex::new(Waiters {
    next_key: 0,
    wakers: Vec::new(),
});
/// Notified, under [`WAITERS`]' lock, when shutdown is requested.
static WOKEN: Condvar = Condvar::new();

/// The futures waiting for shutdown; behind [`WAITERS`]' lock.
pub(crate) struct Waiters {
    next_key: u64,
    /// One per pending future, by its key. A handful in any real program:
    /// a linear search is the fastest.
    wakers: Vec<(u64, Waker)>,
}

/// Whether shutdown has been requested.
pub(super) fn is_requested() -> bool {
    REASON.load(Ordering::SeqCst) != NOT_YET
}

/// Why shutdown was requested: `None` if it was not; `Some(None)` by the
/// program, `Some(Some(signal))` by a signal.
pub(super) fn reason() -> Option<Option<i32>> {
    match REASON.load(Ordering::SeqCst) {
        NOT_YET => None,
        BY_PROGRAM => Some(None),
        signal => Some(Some(signal)),
    }
}

/// Marks shutdown requested and wakes every waiter, once; later calls do
/// nothing. Returns whether this call was the one.
pub(super) fn request() -> bool {
    request_waking(BY_PROGRAM, wake_all)
}

/// [`request`], for `signal`, from the signal watcher: the futures' wakers are woken on
/// a thread of their own, so a waker that blocks (a custom executor's)
/// cannot hold the watcher, which still has the grace period to keep and a
/// second signal to act on. On this thread only if none can be started.
pub(super) fn request_from_watcher(signal: i32) -> bool {
    request_waking(signal, |wakers| {
        if wakers.is_empty() {
            return;
        }
        let slot = std::sync::Arc::new(Mutex::new(Some(wakers)));
        let for_thread = std::sync::Arc::clone(&slot);
        let spawned = spawn::named(
            "cleanup-wake",
            Box::new(move || wake_all(take(&for_thread))),
        );
        if spawned.is_err() {
            wake_all(take(&slot));
        }
    })
}

/// The wakers handed to a thread that may not have started.
fn take(slot: &Mutex<Option<Vec<(u64, Waker)>>>) -> Vec<(u64, Waker)> {
    slot.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .unwrap_or_default()
}

/// Marks shutdown requested for `reason`, wakes the blocked threads, and
/// hands the futures' wakers to `wake`; once: `false` if it was requested
/// already (the first reason stays).
fn request_waking(reason: i32, wake: impl FnOnce(Vec<(u64, Waker)>)) -> bool {
    if REASON
        .compare_exchange(NOT_YET, reason, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return false;
    }
    // A waiter checks `REASON` under the lock before it waits or leaves
    // its waker, and we take the wakers under it after setting it: none is
    // missed.
    let wakers = {
        let mut waiters = lock();
        WOKEN.notify_all();
        std::mem::take(&mut waiters.wakers)
    };
    // Outside the lock: a waker may run executor code that polls again.
    wake(wakers);
    true
}

/// Wakes each of `wakers`. One that panics must not keep the others
/// asleep, nor end the signal watcher thread.
fn wake_all(wakers: Vec<(u64, Waker)>) {
    for (_, waker) in wakers {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| waker.wake()));
    }
}

/// Blocks the calling thread until shutdown is requested.
pub(super) fn wait() {
    let waiters = lock();
    drop(
        WOKEN
            .wait_while(waiters, |_| !is_requested())
            .unwrap_or_else(PoisonError::into_inner),
    );
}

/// Leaves `waker` to be woken when shutdown is requested, under `key`
/// (given a new key if it has none), replacing what that key left before.
/// Returns `true` instead if shutdown is requested already.
pub(super) fn leave_waker(key: &mut Option<u64>, waker: &Waker) -> bool {
    let mut waiters = lock();
    if is_requested() {
        return true;
    }
    match *key {
        Some(key) => match waiters.wakers.iter_mut().find(|(k, _)| *k == key) {
            Some((_, left)) => left.clone_from(waker),
            None => waiters.wakers.push((key, waker.clone())),
        },
        None => {
            let new = waiters.next_key;
            waiters.next_key += 1;
            waiters.wakers.push((new, waker.clone()));
            *key = Some(new);
        }
    }
    false
}

/// Forgets the waker left under `key`: its future is gone.
pub(super) fn forget_waker(key: u64) {
    let removed = {
        let mut waiters = lock();
        let at = waiters.wakers.iter().position(|(k, _)| *k == key);
        at.map(|at| waiters.wakers.swap_remove(at))
    };
    // Dropped outside the lock: dropping a waker runs executor code.
    drop(removed);
}

/// Takes the waiters' lock for `fork`, so a child never inherits it held
/// by a thread that does not exist there (`process::fork`, with the
/// registry's).
#[cfg(unix)]
pub(crate) fn lock_for_fork() -> MutexGuard<'static, Waiters> {
    lock()
}

/// In a forked child, under the lock taken by [`lock_for_fork`]: its
/// shutdown is its own. Not requested, whatever the parent was told; the
/// parent's waiters (threads and futures that stayed there) are forgotten,
/// not dropped: dropping a waker runs the executor's code, and this runs
/// inside `fork`, where nothing may allocate or free.
#[cfg(unix)]
pub(crate) fn forget_in_fork_child(waiters: &mut Waiters) {
    REASON.store(NOT_YET, Ordering::SeqCst);
    std::mem::forget(std::mem::take(&mut waiters.wakers));
}

fn lock() -> MutexGuard<'static, Waiters> {
    WAITERS.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    use super::*;

    struct Counting(AtomicUsize);
    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The one test in this process that requests shutdown (it is for
    /// good): every step of a waiter's life in order.
    #[test]
    fn a_waker_is_kept_replaced_forgotten_and_woken_once() {
        let count = Arc::new(Counting(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        let (mut kept, mut gone) = (None, None);
        assert!(!leave_waker(&mut kept, &waker));
        assert!(!leave_waker(&mut kept, &waker), "replaced, not added");
        assert!(!leave_waker(&mut gone, &waker));
        assert_eq!(lock().wakers.len(), 2);
        forget_waker(gone.expect("a key"));
        assert_eq!(lock().wakers.len(), 1);

        assert_eq!(reason(), None);
        assert!(request());
        assert!(!request(), "once");
        assert!(!request_from_watcher(15), "the first reason stays");
        assert_eq!(reason(), Some(None));
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(lock().wakers.is_empty());
        assert!(leave_waker(&mut kept, &waker), "requested already");
        wait(); // returns at once
    }
}
