//! The one way up, for set-up only: the first registration (in
//! `registry/`) must install the exit hook, the panic hook and the signal
//! handlers (in `process/`), two floors above it. Rather than importing
//! `process/`, the registration API calls the entries of this table, which
//! `lib.rs` fills in ([`crate::SET_UP`]); the import graph points one way,
//! and this file lists everything that crosses it.
//!
//! Everything else a lower floor needs to know about how the process ends
//! (whether the calling thread is the final run's runner, whether the
//! deadline passed, what a signal means) is state on the bottom floor
//! (`base::ending`, `base::listening`), read by plain calls. The one other
//! call up, what a signal does on a normal thread, is handed to the signal
//! floor when `process/` arms it (`signals::Action`).
//!
//! The table is a `const`: each call compiles to a direct call. It must
//! stay small: an entry is added only where moving the code down is not
//! possible.

/// The calls from lower layers into higher ones; see the module docs.
pub(crate) struct SetUp {
    /// First use (from `registry::first_use`, cold path only): install the
    /// exit hook, the panic hook and the signal handlers.
    pub(crate) activate: fn(),
    /// Install our panic hook once (from `unregister`/`clear`, which, like
    /// `run_now`, may be the program's first call).
    pub(crate) watch_panics: fn(),
}
