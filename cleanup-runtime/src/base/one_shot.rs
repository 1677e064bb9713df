//! A one-value channel: the first value sent is the one received, and the
//! receiver can wait for it with a limit. What the runtime needs of a
//! channel (a thread reports its one outcome to the thread waiting for it,
//! or gives up) and nothing more.
//!
//! Not `std::sync::mpsc`: its channels are one general implementation
//! (three flavours, wakers, a lock-free list) instantiated for each value
//! type, and the runtime's five uses of `sync_channel(1)` put about 48 KB
//! of it into every program that links the crate (its largest single
//! share of std: `nm` on a release binary with one `#[at_exit]`). A mutex,
//! a condition variable and a count of senders do the same work here.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A new channel: senders may be cloned; the first value sent wins.
pub(crate) fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            value: None,
            senders: 1,
        }),
        changed: Condvar::new(),
    });
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver { shared },
    )
}

struct Shared<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
}

struct State<T> {
    /// The first value sent, until received.
    value: Option<T>,
    /// Senders alive: at zero with no value, none will ever come.
    senders: usize,
}

impl<T> Shared<T> {
    /// The state, also after a thread panicked holding it (nothing here
    /// can leave it half-changed).
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sending side; see [`channel`].
pub(crate) struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, unless a value was sent already (then it is
    /// dropped): `false` in that case.
    pub(crate) fn send(&self, value: T) -> bool {
        let mut state = self.shared.lock();
        if state.value.is_some() {
            return false;
        }
        state.value = Some(value);
        drop(state);
        self.shared.changed.notify_all();
        true
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Sender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.senders -= 1;
        let last = state.senders == 0;
        drop(state);
        if last {
            self.shared.changed.notify_all();
        }
    }
}

/// The receiving side; see [`channel`].
pub(crate) struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

/// Why [`Receiver::recv_timeout`] returned no value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NoValue {
    /// The limit passed first; a value may still come.
    TimedOut,
    /// Every sender is gone without sending.
    Disconnected,
}

impl<T> Receiver<T> {
    /// Waits for the value for as long as it takes; `None` if every
    /// sender is gone without sending.
    #[cfg(any(feature = "tokio", test))]
    pub(crate) fn recv(&self) -> Option<T> {
        let mut state = self.shared.lock();
        loop {
            if let Some(value) = state.value.take() {
                return Some(value);
            }
            if state.senders == 0 {
                return None;
            }
            state = self
                .shared
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits for the value for at most `timeout`.
    pub(crate) fn recv_timeout(&self, timeout: Duration) -> Result<T, NoValue> {
        let until = Instant::now().checked_add(timeout);
        let mut state = self.shared.lock();
        loop {
            if let Some(value) = state.value.take() {
                return Ok(value);
            }
            if state.senders == 0 {
                return Err(NoValue::Disconnected);
            }
            let left = match until {
                Some(until) => until.saturating_duration_since(Instant::now()),
                // Beyond what an Instant can hold: as good as no limit.
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Err(NoValue::TimedOut);
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_value_sent_is_received() {
        let (sender, receiver) = channel();
        let other = sender.clone();
        assert!(sender.send(1));
        assert!(!other.send(2));
        assert_eq!(receiver.recv_timeout(Duration::ZERO), Ok(1));
    }

    #[test]
    fn a_value_sent_from_another_thread_wakes_the_receiver() {
        let (sender, receiver) = channel();
        let thread = std::thread::spawn(move || sender.send("done"));
        assert_eq!(receiver.recv(), Some("done"));
        assert!(thread.join().unwrap());
    }

    #[test]
    fn no_value_and_no_sender_left_is_disconnected() {
        let (sender, receiver) = channel::<()>();
        let other = sender.clone();
        drop(sender);
        assert_eq!(
            receiver.recv_timeout(Duration::ZERO),
            Err(NoValue::TimedOut)
        );
        std::thread::spawn(move || drop(other));
        assert_eq!(
            receiver.recv_timeout(Duration::MAX),
            Err(NoValue::Disconnected)
        );
        assert_eq!(receiver.recv(), None);
    }
}
