//! A cheap identity for the calling thread that works at every stage of a
//! process's life, and whether it is the main thread.
//!
//! `std::thread::current()` needs the thread's local data, which is already
//! destroyed on the main thread when exit handlers run (its thread-local
//! destructors run first, before libc's exit handlers).
//! `pthread_self` (Windows: `GetCurrentThreadId`) is plain libc and always
//! answers.

/// The calling thread's identity, never 0.
#[cfg(unix)]
pub(crate) fn current() -> usize {
    // SAFETY: pthread_self has no preconditions and cannot fail.
    let id = unsafe { libc::pthread_self() } as usize;
    id.max(1)
}

/// The calling thread's identity, never 0 (Windows never gives a thread
/// the id 0).
#[cfg(windows)]
pub(crate) fn current() -> usize {
    // SAFETY: GetCurrentThreadId has no preconditions and cannot fail.
    let id = unsafe { windows_sys::Win32::System::Threading::GetCurrentThreadId() };
    (id as usize).max(1)
}

/// The identity [`current`] gives on the thread `handle` started, known
/// to its starter before that thread runs any code of its own.
#[cfg(unix)]
#[allow(
    clippy::unnecessary_cast,
    reason = "RawPthread is u64 on Linux, usize on Apple and NetBSD"
)]
pub(crate) fn of<T>(handle: &std::thread::JoinHandle<T>) -> usize {
    use std::os::unix::thread::JoinHandleExt;
    (handle.as_pthread_t() as usize).max(1)
}

/// The identity [`current`] gives on the thread `handle` started, known
/// to its starter before that thread runs any code of its own.
#[cfg(windows)]
pub(crate) fn of<T>(handle: &std::thread::JoinHandle<T>) -> usize {
    use std::os::windows::io::AsRawHandle;
    // SAFETY: the handle is the live thread's own, held by `handle`.
    let id = unsafe { windows_sys::Win32::System::Threading::GetThreadId(handle.as_raw_handle()) };
    (id as usize).max(1)
}

cfg_linux_native! {
    /// Whether the calling thread is the main thread of this process (in a
    /// forked child: the thread that called `fork`, the only one there).
    ///
    /// Asked of the kernel rather than compared with a record taken before
    /// `main`: that record needed a constructor in every program that links
    /// the runtime (BENCHMARKS.md, "Zero cleanups").
    pub(crate) fn is_main() -> bool {
        // SAFETY: gettid has no preconditions and cannot fail; the main
        // thread's id is the process id.
        let thread = unsafe { libc::gettid() };
        thread == super::system_calls::process_id()
    }
}

cfg_pthread_main_np! {
    /// Whether the calling thread is the main thread of this process.
    pub(crate) fn is_main() -> bool {
        // SAFETY: pthread_main_np has no preconditions and cannot fail.
        unsafe { libc::pthread_main_np() == 1 }
    }
}

cfg_no_main_thread_test! {
    /// Elsewhere (NetBSD, Windows, and Linux under `--cfg
    /// cleanup_runtime_portable`) there is no cheap answer: a panic out of
    /// `main` is then reported as an exit with status 101. (Where the exit
    /// hook is `atexit`, which does not tell the status, the answer is never
    /// asked for: that panic is reported as an exit either way.)
    pub(crate) fn is_main() -> bool {
        false
    }
}
