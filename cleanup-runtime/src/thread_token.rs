//! A cheap identity for the calling thread that works at every stage of a
//! process's life.
//!
//! `std::thread::current()` needs the thread's local data, which is already
//! destroyed on the main thread when exit handlers run (FINDINGS.md).
//! `pthread_self` is plain libc and always answers.

/// The calling thread's identity, never 0.
pub(crate) fn current() -> usize {
    // SAFETY: pthread_self has no preconditions and cannot fail.
    let id = unsafe { libc::pthread_self() } as usize;
    id.max(1)
}
