//! `cleanup_runtime::signals::pause`: no thread of the runtime while the
//! program sets up its own sandbox.

/// Stops the runtime's signal thread until the returned guard (the last
/// one, if several) is dropped; then a new one is started **by the thread
/// that drops it**.
///
/// The runtime acts on SIGINT, SIGTERM and SIGHUP on a thread of its own,
/// started when the program first has something to clean up (before
/// `main` when it declares `#[at_exit]` or `#[cleanup]` functions). Such a
/// thread keeps the rules of the thread that created it, and two things a
/// program does to itself need it gone:
///
/// - **Per-thread restrictions**: a seccomp filter installed without
///   `SECCOMP_FILTER_FLAG_TSYNC`, a Landlock domain, dropped capabilities,
///   `no_new_privs`, CPU affinity. A thread that predates them is outside
///   them, and so would be a cleanup it ran. The thread started when the
///   guard drops is created inside them.
/// - **A single-threaded process**: `unshare(CLONE_NEWUSER)` (and `setns`
///   into a user namespace) fail with `EINVAL` while the process has a
///   second thread.
///
/// While any guard lives, no thread of the runtime exists (the runtime
/// starts threads only while the process ends, for a timed or async
/// cleanup and the deadline). Our handlers stay installed: a signal that
/// arrives meanwhile is marked and acted on as soon as the last guard
/// drops. Guards nest and may be made and dropped on any thread; where
/// nothing is armed (no cleanup yet, `CLEANUP_SIGNALS=off`, feature
/// `signals` off) a guard changes nothing. On Windows no thread of the
/// runtime waits for events (the system starts one per console event), so
/// a guard changes nothing there either.
///
/// A signal already being acted on when `pause` is called (the cleanups
/// running, or a listening program's grace period) is not stopped: the
/// process is ending.
///
/// If the program applies such restrictions to its main thread without a
/// pause, the runtime does not run the cleanups on the signal thread
/// outside them: after a signal it compares the two threads (Linux:
/// seccomp mode and filters, `NoNewPrivs`, capabilities), and where its
/// own has fewer restrictions it runs none, says so on stderr and in the
/// report, and the process still ends by the signal.
///
/// ```
/// use cleanup_runtime::signals;
///
/// cleanup_runtime::register(|| println!("cleaned up inside the sandbox"));
/// let paused = signals::pause(); // from here, no runtime thread exists
/// // unshare(CLONE_NEWUSER), a seccomp filter, landlock_restrict_self(), ...
/// drop(paused); // signals are handled again, on a thread started here
/// # cleanup_runtime::clear();
/// ```
#[must_use = "the signal thread is started again as soon as the guard is dropped: \
              keep it while the program sets up its sandbox"]
pub fn pause() -> Paused {
    #[cfg(unix)]
    super::signal_thread::pause();
    Paused(())
}

/// The guard [`pause`] returns: while it lives, no thread of the runtime
/// exists; dropping the last one starts the signal thread again, on the
/// dropping thread.
///
/// ```
/// let outer = cleanup_runtime::signals::pause();
/// let inner = cleanup_runtime::signals::pause(); // nests
/// drop(inner); // still paused
/// drop(outer); // signals handled again
/// ```
#[derive(Debug)]
#[must_use = "the signal thread is started again as soon as the guard is dropped"]
pub struct Paused(());

impl Drop for Paused {
    fn drop(&mut self) {
        #[cfg(unix)]
        super::signal_thread::resume();
    }
}
