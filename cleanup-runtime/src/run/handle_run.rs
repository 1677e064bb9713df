//! `Handle::run`: one registration run now, on its own, for tests and for
//! a part of a program that ends before the process does.

use crate::registry::registration::Handle;
use crate::report::EntryReport;

impl Handle {
    /// Runs this cleanup now, once, and returns its line of the report; or
    /// `None` if it is no longer pending (it ran, was unregistered,
    /// cleared or replaced by a later registration of its name).
    ///
    /// It runs as the run at exit would run it: a panic or an `Err` is
    /// caught and reported, not propagated; its timeout (given with
    /// [`Cleanup::timeout`](crate::Cleanup::timeout) or `#[cleanup(timeout = ...)]`)
    /// holds. It is then gone from the registry, so it does not run again
    /// at exit, and it is in [`report`](crate::report)'s history, as what
    /// [`run_now`](crate::run_now) runs is. Nothing else runs: unlike
    /// `run_now`, this touches no other test's, module's or library's
    /// cleanups, which is what makes it the tool for unit tests (see the
    /// crate docs, "Testing"). Ordering constraints do not apply to a
    /// cleanup run on its own: the caller chose the moment. With feature
    /// `tracing` no event is emitted for it (the report line is returned
    /// to the caller instead).
    ///
    /// Called while the process ends (another thread, or a cleanup, during
    /// the run at exit), the run at exit waits for it, and its line is in
    /// the report at exit.
    ///
    /// ```
    /// use cleanup_runtime::EntryStatus;
    ///
    /// let handle = cleanup_runtime::register(|| Err::<(), _>("disk full"));
    /// let other = cleanup_runtime::register(|| println!("not run by handle.run()"));
    /// let entry = handle.run().expect("it was pending");
    /// assert_eq!(entry.status(), EntryStatus::Error);
    /// assert_eq!(entry.error(), Some("disk full"));
    /// assert!(handle.run().is_none(), "once");
    /// assert!(other.is_pending());
    /// # cleanup_runtime::clear();
    /// ```
    pub fn run(&self) -> Option<EntryReport> {
        (crate::SET_UP.watch_panics)();
        let (sequence, id) = self.key();
        crate::run::runner::run_one(sequence, id)
    }
}
