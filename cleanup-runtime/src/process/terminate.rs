//! Windows: ending the process without running any more of its code.
//!
//! The C runtime's `exit` and `_exit` end in `ExitProcess`, which first
//! stops the other threads where they stand and then calls every DLL's
//! `DllMain(DLL_PROCESS_DETACH)`; `exit` also takes the C runtime's exit
//! lock, held for good by a thread that is inside `exit` and will never
//! leave it. Where such a thread may exist (a cleanup hung past the
//! deadline, a thread stopped in our panic hook inside `exit`),
//! `TerminateProcess` on ourselves ends the process with its status and
//! calls nothing, as `_exit` does on Unix.

/// Ends the process at once with `status`.
pub(crate) fn now(status: i32) -> ! {
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, TerminateProcess};
    // SAFETY: both have no preconditions; the pseudo-handle of the current
    // process is always valid. Windows takes the exit code as unsigned.
    unsafe { TerminateProcess(GetCurrentProcess(), status as u32) };
    // Ending the calling process does not return; if it ever did, the
    // process is ending all the same.
    crate::base::park::forever()
}
