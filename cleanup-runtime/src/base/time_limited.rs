//! Work that must not hold the end of the process: done on a thread of its
//! own and waited for until a limit. A thread still blocked then (a full
//! pipe, a hung file system, another thread holding stdout) is left to end
//! with the process.

use std::time::Instant;

use super::{one_shot, spawn};

/// What became of work given to [`on_own_thread`].
pub(crate) enum Bounded<T> {
    /// It finished in time, with this result.
    Done(T),
    /// The limit passed first; the work may still be going on.
    TimedOut,
    /// No thread could be started; the work was not done.
    NoThread,
}

/// Runs `work` on a new thread named `name` and waits for it until `until`.
pub(crate) fn on_own_thread<T: Send + 'static>(
    name: &str,
    until: Instant,
    work: impl FnOnce() -> T + Send + 'static,
) -> Bounded<T> {
    let (done, finished) = one_shot::channel();
    let spawned = spawn::named(
        name,
        Box::new(move || {
            let _ = done.send(work());
        }),
    );
    if spawned.is_err() {
        return Bounded::NoThread;
    }
    match finished.recv_timeout(until.saturating_duration_since(Instant::now())) {
        Ok(result) => Bounded::Done(result),
        Err(_) => Bounded::TimedOut,
    }
}
