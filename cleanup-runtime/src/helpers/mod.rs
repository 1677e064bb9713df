//! Helpers built on the public API, as a user could write them: temp
//! paths ([`temp`]), pid files ([`pidfile`]), [`ResourceGuard`]
//! ([`guard`]), [`drop_at_exit`](crate::drop_at_exit) and the logging notes
//! ([`logging`]). Each registers a named cleanup with
//! [`register_named`](crate::register_named) and keeps its [`Handle`].
//!
//! The files, one job each: `release_once` (exactly once, whichever of
//! release, drop and exit comes first, registered before the resource
//! exists, the exit waiting for a release under way: the one mechanism
//! under `guard`, `temp` and `pidfile`), `anchored` (a path pinned at
//! registration: absolute, its parent directory held open), `remove_tree`
//! (removal relative to directory handles; `remove_tree_windows.rs` on
//! Windows), `entry_name` (report names that never collide), and the
//! public helpers themselves.
//!
//! May use: the public API (`crate::register_named`, `crate::Handle`,
//! `crate::CleanupResult`), each other, and three crate-internal items:
//! `base::diagnostics::warn`, for the one-line `cleanup: ...` warning on
//! stderr that a helper gives when it cannot do its job (a pid file that
//! cannot be written, a guard dropped twice). A user would use `eprintln!`;
//! the helpers share the runtime's line format and its write that never
//! waits for std's stderr lock (the warning may come from inside `exit`).
//! And `base::thread_token::current`, the thread identity that still
//! answers inside `exit` (where `std::thread::current` may not), so that
//! the exit never waits for a release on its own thread. And `base::text`,
//! the crate's substring replacement (std's would compile its two-way
//! searcher in for one short type name).
//! Used by: `lib.rs` only (re-exported).
//!
//! Features: `temp` and `pidfile` (both default) keep the helpers that
//! need a crate of their own (`rustix` on Unix: work relative to directory
//! handles); `default-features = false` leaves them, and that crate, out.
//! `ResourceGuard`, `drop_at_exit` and `logging` need none and are always
//! there.
//! Architecture invariant: no helper reaches into the registry, the run or
//! the process layer; removing this folder leaves the runtime working.
//!
//! [`ResourceGuard`]: crate::ResourceGuard
//! [`Handle`]: crate::Handle

#[cfg(any(feature = "temp", all(unix, feature = "pidfile")))]
mod anchored;
pub(crate) mod drop_at_exit;
#[cfg(any(feature = "temp", all(unix, feature = "pidfile")))]
mod entry_name;
pub(crate) mod guard;
pub mod logging;
#[cfg(all(unix, feature = "pidfile"))]
pub mod pidfile;
mod release_once;
#[cfg(feature = "temp")]
#[cfg_attr(windows, path = "remove_tree_windows.rs")]
mod remove_tree;
#[cfg(feature = "temp")]
pub mod temp;
