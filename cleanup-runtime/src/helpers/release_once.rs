//! Exactly once, whichever comes first: the one mechanism under
//! [`ResourceGuard`](crate::ResourceGuard), the temp paths and the pid
//! file.
//!
//! A [`Registered`] value is a [`Slot`] and the cleanup that empties it at
//! exit. The slot's state moves one way:
//!
//! ```text
//! Unborn --acquire--> Busy --> Held --release / at exit--> Busy --> Done
//!    \_______________at exit, nothing there yet_______________________/
//! ```
//!
//! - **Registered first, acquired second.** The cleanup is registered (which
//!   arms the runtime and its signal handlers) while the slot is `Unborn`;
//!   only then is the resource made, in `Busy`. A cleanup that runs
//!   meanwhile on another thread (a signal) waits for `Busy` to end and
//!   releases what was made; one that ran before it started leaves `Done`,
//!   and the acquisition is refused (the process is ending).
//! - **Released once, the exit waiting.** A release (`release()`, a drop,
//!   `Tracked::remove`) moves `Held` to `Busy` and the user's work runs
//!   outside the lock; the exit cleanup is taken back only once it is
//!   `Done`. So there is no moment when the cleanup is gone and the
//!   release not finished: the final run's cleanup finds `Busy` and waits
//!   (bounded by the run's deadline, which the runtime enforces), then
//!   finds `Done` and reports ok.
//! - **Never waiting for itself.** `Busy` records the thread. The exit
//!   cleanup that finds its own thread's `Busy` (a release that called
//!   `exit`, or `run_now`) does not wait: it could not end. Nothing else
//!   waits: a `release()` or drop that finds the exit releasing returns at
//!   once (a release closure at exit that joins that thread must not hang).
//!   The lock itself is held for a few instructions only, never while user
//!   code runs; [`Slot::with`] takes the value out (`Busy`) to lend it.
//!
//! The thread identity is `base::thread_token`, which answers inside
//! `exit` too, where the main thread's thread-locals (and so
//! `std::thread::current`) are gone.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use crate::base::thread_token;
use crate::{CleanupResult, Handle};

/// Where a resource is in its life; see the module docs.
enum State<T> {
    /// Registered, not acquired yet.
    Unborn,
    /// Acquired; nobody is working on it.
    Held(T),
    /// Being acquired or released by the thread with this token.
    Busy(usize),
    /// Lent out by [`Slot::with`] to the thread with this token.
    Lent(usize),
    /// Released, or never acquired: nothing left to do.
    Done,
}

/// A resource's state and the condition the exit waits on.
pub(crate) struct Slot<T> {
    state: Mutex<State<T>>,
    settled: Condvar,
}

/// Why [`Slot::acquire`] made nothing.
pub(crate) enum NotAcquired<E> {
    /// `make` failed.
    Failed(E),
    /// The exit's cleanup ran first: the process is ending.
    Ending,
}

impl<T> Slot<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts `state` back after work done in `Busy`, and wakes an exit
    /// waiting for it.
    fn settle(&self, state: State<T>) {
        *self.lock() = state;
        self.settled.notify_all();
    }

    /// Runs `make` in `Busy` if the slot is still `Unborn`, and keeps what
    /// it made. A panic in `make` leaves `Done` and goes on.
    pub(crate) fn acquire<E>(
        &self,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<(), NotAcquired<E>> {
        {
            let mut state = self.lock();
            if !matches!(*state, State::Unborn) {
                return Err(NotAcquired::Ending);
            }
            *state = State::Busy(thread_token::current());
        }
        let busy = Busy {
            slot: self,
            on_unwind: State::Done,
        };
        let made = make();
        std::mem::forget(busy);
        match made {
            Ok(value) => {
                self.settle(State::Held(value));
                Ok(())
            }
            Err(error) => {
                self.settle(State::Done);
                Err(NotAcquired::Failed(error))
            }
        }
    }

    /// Calls `f` with the value, or returns `None` if there is none (not
    /// acquired, released, being released, or lent to this very thread
    /// already). A loan to another thread is waited for, as a lock would
    /// be. The value is taken out while `f` runs, so the lock is not held;
    /// an exit on another thread waits for `f`, and the value goes back
    /// even if `f` panics.
    pub(crate) fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> Option<U> {
        let me = thread_token::current();
        let mut state = self.wait_for_loans(self.lock(), me);
        if !matches!(*state, State::Held(_)) {
            return None;
        }
        let State::Held(value) = std::mem::replace(&mut *state, State::Lent(me)) else {
            unreachable!("checked above")
        };
        drop(state);
        let mut lent = Lent {
            slot: self,
            value: Some(value),
        };
        Some(f(lent.value.as_mut().expect("lent until dropped")))
    }

    /// Whether it is over: released (the release finished), or never
    /// acquired. Not while a release or a loan is under way.
    pub(crate) fn is_done(&self) -> bool {
        matches!(*self.lock(), State::Done)
    }

    /// Releases the value with `release`, if it is held. Waits only for a
    /// loan on another thread ([`Slot::with`]), never for the exit's
    /// release. A panic in `release` leaves `Done` and reaches the caller.
    pub(crate) fn release<R>(&self, release: impl FnOnce(T) -> R) -> Option<R> {
        let me = thread_token::current();
        let mut state = self.wait_for_loans(self.lock(), me);
        let value = self.take_for_release(&mut state)?;
        drop(state);
        Some(self.release_taken(value, release))
    }

    /// Waits while the value is lent to another thread (as a lock would).
    fn wait_for_loans<'a>(
        &'a self,
        mut state: MutexGuard<'a, State<T>>,
        me: usize,
    ) -> MutexGuard<'a, State<T>> {
        while matches!(*state, State::Lent(owner) if owner != me) {
            state = self
                .settled
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state
    }

    /// The exit's release: as [`Slot::release`], but first waits for work
    /// under way on another thread (an acquisition, a loan, a release).
    fn release_at_exit<R>(&self, release: impl FnOnce(T) -> R) -> Option<R> {
        let me = thread_token::current();
        let mut state = self.lock();
        loop {
            match *state {
                State::Unborn => {
                    *state = State::Done;
                    return None;
                }
                State::Busy(owner) | State::Lent(owner) if owner != me => {
                    state = self
                        .settled
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                _ => break,
            }
        }
        let value = self.take_for_release(&mut state)?;
        drop(state);
        Some(self.release_taken(value, release))
    }

    /// Takes a held value out to release it, leaving `Busy` with the
    /// calling thread.
    fn take_for_release(&self, state: &mut State<T>) -> Option<T> {
        if !matches!(*state, State::Held(_)) {
            return None;
        }
        match std::mem::replace(state, State::Busy(thread_token::current())) {
            State::Held(value) => Some(value),
            _ => unreachable!("checked above"),
        }
    }

    fn release_taken<R>(&self, value: T, release: impl FnOnce(T) -> R) -> R {
        let busy = Busy {
            slot: self,
            on_unwind: State::Done,
        };
        let released = release(value);
        drop(busy);
        released
    }

    /// Takes the value out for good, unreleased (`Done`); `None` if it is
    /// not held.
    #[cfg(feature = "temp")]
    pub(crate) fn take(&self) -> Option<T> {
        let mut state = self.lock();
        match std::mem::replace(&mut *state, State::Done) {
            State::Held(value) => Some(value),
            other => {
                *state = other;
                None
            }
        }
    }
}

/// Work in `Busy`: on drop (the work ended, or unwound), the slot gets
/// `on_unwind` and the exit is woken.
struct Busy<'a, T> {
    slot: &'a Slot<T>,
    on_unwind: State<T>,
}

impl<T> Drop for Busy<'_, T> {
    fn drop(&mut self) {
        let state = std::mem::replace(&mut self.on_unwind, State::Done);
        self.slot.settle(state);
    }
}

/// A value lent out by [`Slot::with`]: put back (`Held`) when dropped,
/// also while unwinding, and the exit woken.
struct Lent<'a, T> {
    slot: &'a Slot<T>,
    value: Option<T>,
}

impl<T> Drop for Lent<'_, T> {
    fn drop(&mut self) {
        if let Some(value) = self.value.take() {
            self.slot.settle(State::Held(value));
        }
    }
}

/// A [`Slot`] and the cleanup that releases it at exit.
pub(crate) struct Registered<T> {
    slot: Arc<Slot<T>>,
    handle: Option<Handle>,
}

impl<T: Send + 'static> Registered<T> {
    /// Registers the cleanup named `name` first, with nothing acquired
    /// yet; at exit it releases with `at_exit`. `name` must be one that no
    /// other live entry has (`register_named` would replace it).
    #[track_caller]
    pub(crate) fn new<R, F>(name: String, at_exit: F) -> Registered<T>
    where
        R: CleanupResult,
        F: FnOnce(T) -> R + Send + 'static,
    {
        Registered::with_state(name, State::Unborn, at_exit)
    }

    /// Registers the cleanup named `name` for `value`, which exists
    /// already (nothing is left to acquire): released at once if the
    /// cleanups at exit are over (the registration then runs it on the
    /// spot).
    #[track_caller]
    pub(crate) fn held<R, F>(name: String, value: T, at_exit: F) -> Registered<T>
    where
        R: CleanupResult,
        F: FnOnce(T) -> R + Send + 'static,
    {
        Registered::with_state(name, State::Held(value), at_exit)
    }

    #[track_caller]
    fn with_state<R, F>(name: String, state: State<T>, at_exit: F) -> Registered<T>
    where
        R: CleanupResult,
        F: FnOnce(T) -> R + Send + 'static,
    {
        let slot = Arc::new(Slot {
            state: Mutex::new(state),
            settled: Condvar::new(),
        });
        let for_exit = Arc::clone(&slot);
        let handle = crate::register_named(&name, move || {
            for_exit
                .release_at_exit(at_exit)
                .map_or(Ok(()), crate::outcome::into_outcome)
        });
        Registered {
            slot,
            handle: Some(handle),
        }
    }
}

impl<T> Registered<T> {
    /// The slot.
    pub(crate) fn slot(&self) -> &Slot<T> {
        &self.slot
    }

    /// Releases now with `release` (see [`Slot::release`]), then takes
    /// the exit's cleanup back: only after the release, so that an exit
    /// meanwhile waits for it.
    pub(crate) fn release<R>(&mut self, release: impl FnOnce(T) -> R) -> Option<R> {
        let unregister = Unregister(self.handle.take());
        let released = self.slot.release(release);
        drop(unregister);
        released
    }

    /// Takes the cleanup back without releasing anything (a value that
    /// failed to be acquired, or is kept for good).
    pub(crate) fn unregister(&mut self) {
        drop(Unregister(self.handle.take()));
    }
}

/// Takes a cleanup back when dropped, also while unwinding.
struct Unregister(Option<Handle>);

impl Drop for Unregister {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.unregister();
        }
    }
}

impl<T> std::fmt::Debug for Registered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::{NotAcquired, Slot, State};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::sync::{Arc, Condvar, Mutex};

    fn slot<T>(state: State<T>) -> Arc<Slot<T>> {
        Arc::new(Slot {
            state: Mutex::new(state),
            settled: Condvar::new(),
        })
    }

    #[test]
    fn the_exit_waits_for_a_release_under_way_on_another_thread_and_does_not_repeat_it() {
        let slot = slot(State::Held(7));
        let (started, wait_started) = mpsc::channel();
        let (go, wait_go) = mpsc::channel::<()>();
        let released = Arc::new(AtomicBool::new(false));
        let releaser = {
            let (slot, released) = (Arc::clone(&slot), Arc::clone(&released));
            std::thread::spawn(move || {
                slot.release(|value| {
                    started.send(value).unwrap();
                    wait_go.recv().unwrap();
                    released.store(true, Ordering::SeqCst);
                })
            })
        };
        assert_eq!(wait_started.recv().unwrap(), 7);
        let exit = {
            let (slot, released) = (Arc::clone(&slot), Arc::clone(&released));
            std::thread::spawn(move || {
                let again = slot.release_at_exit(|_| panic!("released twice"));
                (again, released.load(Ordering::SeqCst))
            })
        };
        go.send(()).unwrap();
        assert_eq!(
            exit.join().unwrap(),
            (None, true),
            "waited, then found it done"
        );
        assert_eq!(releaser.join().unwrap(), Some(()));
    }

    #[test]
    fn the_exit_never_waits_for_its_own_thread() {
        let slot = slot(State::Held(1));
        let inner = slot.release(|_| slot.release_at_exit(|_| panic!("released twice")));
        assert_eq!(inner, Some(None));
        assert!(slot.is_done());
    }

    #[test]
    fn the_exit_waits_for_an_acquisition_under_way_and_releases_what_it_made() {
        let slot = slot(State::Unborn);
        let (started, wait_started) = mpsc::channel();
        let (go, wait_go) = mpsc::channel::<()>();
        let maker = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || {
                slot.acquire(|| {
                    started.send(()).unwrap();
                    wait_go.recv().unwrap();
                    Ok::<_, ()>(5)
                })
                .is_ok()
            })
        };
        wait_started.recv().unwrap();
        let exit = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || slot.release_at_exit(|value| value))
        };
        go.send(()).unwrap();
        assert_eq!(exit.join().unwrap(), Some(5));
        assert!(maker.join().unwrap());
    }

    #[test]
    fn an_acquisition_after_the_exit_is_refused() {
        let slot = slot(State::<u8>::Unborn);
        assert_eq!(slot.release_at_exit(|_| ()), None);
        let made = slot.acquire(|| Ok::<_, ()>(1));
        assert!(matches!(made, Err(NotAcquired::Ending)));
    }

    #[test]
    fn loans_on_two_threads_take_turns() {
        let slot = slot(State::Held(0));
        let (started, wait_started) = mpsc::channel();
        let (go, wait_go) = mpsc::channel::<()>();
        let first = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || {
                slot.with(|v| {
                    started.send(()).unwrap();
                    wait_go.recv().unwrap();
                    *v += 1;
                })
            })
        };
        wait_started.recv().unwrap();
        let second = {
            let slot = Arc::clone(&slot);
            std::thread::spawn(move || slot.with(|v| *v += 10))
        };
        go.send(()).unwrap();
        assert_eq!(first.join().unwrap(), Some(()));
        assert_eq!(second.join().unwrap(), Some(()), "waited its turn");
        assert_eq!(slot.release(|v| v), Some(11));
    }

    #[test]
    fn a_loan_comes_back_even_when_it_panics() {
        let slot = slot(State::Held(vec![1]));
        assert_eq!(
            slot.with(|_| slot.with(|_| ()).is_none()),
            Some(true),
            "lent once"
        );
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            slot.with(|v| {
                v.push(2);
                panic!("in the loan");
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(slot.with(|v| v.clone()), Some(vec![1, 2]));
        assert_eq!(slot.release(|v| v.len()), Some(2));
        assert_eq!(slot.release(|v| v.len()), None, "once");
    }
}
