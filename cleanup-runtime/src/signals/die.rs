//! Ending the process by a signal, as its default action would: the one
//! definition, for the handler, the thread acting on signals, the final
//! run and the watchdog.

use std::ffi::c_int;

#[cfg(windows)]
use windows_sys::Win32::Foundation::STATUS_CONTROL_C_EXIT;

#[cfg(windows)]
use crate::base::park;
#[cfg(unix)]
use crate::base::{signal_calls, system_calls};

/// Unix: ends the process by `signal`, as its default action would; as PID 1,
/// where the default action of these signals is to be ignored, with the
/// status `128 + signal` that shells report for a death by that signal.
#[cfg(unix)]
pub(crate) fn die_now(signal: c_int) -> ! {
    if system_calls::process_id() == 1 {
        // SAFETY: _exit is async-signal-safe and always succeeds.
        unsafe { libc::_exit(128 + signal) };
    }
    // Restores the default action, unblocks the signal and raises it; if
    // the process survives that, it aborts. Written out with libc, as
    // signal-hook's `emulate_default_handler` does it for these signals
    // (whose default is to end the process): that one call was all the
    // runtime used of signal-hook, which put two crates (signal-hook,
    // signal-hook-registry) in every user's build.
    let mut action: libc::sigaction = zeroed_action();
    action.sa_sigaction = libc::SIG_DFL;
    action.sa_mask = signal_calls::empty_set();
    // SAFETY: sigaction is async-signal-safe (so are the calls of
    // `signal_calls` and abort); the action is a live, initialised local.
    if unsafe { libc::sigaction(signal, &action, std::ptr::null_mut()) } == 0 {
        signal_calls::unblock(signal);
        signal_calls::raise(signal);
    }
    std::process::abort()
}

/// A `sigaction` of all-zero bytes, a valid value of the plain C struct.
#[cfg(unix)]
fn zeroed_action() -> libc::sigaction {
    // SAFETY: all-zero bytes are a valid value of the plain C struct.
    unsafe { std::mem::zeroed() }
}

/// Windows: ends the process with the status the default control handler gives,
/// `STATUS_CONTROL_C_EXIT` (0xC000013A), which shells and `std::process`
/// show for a program stopped by Ctrl-C. SIGABRT (a `panic = "abort"` run)
/// ends it as Rust's own abort does.
///
/// `TerminateProcess` on ourselves, not the default handler's
/// `ExitProcess`: like a Unix signal's death, it runs no more code of the
/// process's. `ExitProcess` would stop the other threads where they stand
/// and then call every DLL's `DllMain`, which may wait for a lock that a
/// cleanup abandoned at its timeout still holds (`process/deadline_watchdog.rs`
/// met that under Wine).
#[cfg(windows)]
pub(crate) fn die_now(signal: c_int) -> ! {
    use windows_sys::Win32::System::Threading::{GetCurrentProcess, TerminateProcess};
    if signal == libc::SIGABRT {
        std::process::abort();
    }
    // SAFETY: both have no preconditions; the pseudo-handle of the current
    // process is always valid, and terminating it does not return.
    unsafe { TerminateProcess(GetCurrentProcess(), STATUS_CONTROL_C_EXIT as u32) };
    // Ending the calling process does not return; if it ever did, the
    // process is ending all the same.
    park::forever()
}
