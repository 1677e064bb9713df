//! Blocking a thread for good, while another thread ends the process.

/// Blocks the calling thread until the process ends, as std does with a
/// second caller of `exit`.
///
/// `pause`, not `park`: the caller may be a thread whose std-level data is
/// already gone (the main thread inside `exit`, a thread running its
/// thread-local destructors), and `pause` is async-signal-safe, so a
/// signal handler may call this too (`panic_hook::after_hook`).
#[cfg(unix)]
pub(crate) fn forever() -> ! {
    loop {
        // SAFETY: pause has no preconditions and is async-signal-safe; it
        // returns after a handled signal, and we wait again.
        unsafe { libc::pause() };
    }
}

/// Blocks the calling thread until the process ends. `Sleep(INFINITE)`,
/// not `park`, for the reason given on Unix.
#[cfg(windows)]
pub(crate) fn forever() -> ! {
    use windows_sys::Win32::System::Threading::{INFINITE, Sleep};
    loop {
        // SAFETY: Sleep has no preconditions.
        unsafe { Sleep(INFINITE) };
    }
}
