//! Windows: the panicking thread stops inside our hook.
//!
//! Rust's `abort` there is `__fastfail`, which no handler sees, so the
//! thread cannot stop at the abort after std released its hook lock, as it
//! does on Unix (`after_hook.rs`). It blocks in the hook instead. The
//! final run still goes on on another thread and ends the process; only a
//! cleanup that calls `std::panic::take_hook` or `set_hook` meanwhile
//! waits for that lock, until the deadline ends the process
//! (PORTABILITY.md, "Windows").

/// From our hook: this thread must never end the process, and std aborts
/// as soon as the hook returns. Stops it here, for good.
pub(super) fn stop_at_the_abort() {
    crate::base::park::forever()
}
