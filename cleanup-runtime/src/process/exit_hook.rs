//! What runs at `exit`: libc-level registration of our two exit handlers.
//!
//! They are registered when the process first has something to clean up
//! ([`install_once`], from `process::activate` at the first registration, or
//! before `main` from the constructor each `#[at_exit]`/`#[cleanup]`
//! brings), not by a constructor of the runtime's own: a program that links
//! the runtime and never uses it pays nothing at start or at exit
//! (BENCHMARKS.md, "Zero cleanups"). Installing may happen before `main`,
//! where std is not set up (no thread info, no stdout), so it only calls
//! libc. The handlers themselves run inside `exit`, after `main` returned
//! or `exit` was called from any thread, and after a panic unwound out of
//! `main`.
//!
//! Like any `atexit` handler, ours run in the reverse order of
//! registration relative to the program's own: after the handlers
//! registered later, before those registered earlier. So a library set up
//! before the first cleanup was registered (and torn down by its own
//! `atexit` handler) is still usable by the cleanups.
//!
//! Two handlers are registered, one after the other, so libc runs them
//! back to back (last registered first):
//!
//! 1. `run_cleanups` runs the cleanups once and writes the report.
//! 2. `barrier` is reached right after, by whichever thread walks the exit
//!    handlers next. On the runner thread after a normal run it does
//!    nothing; when a cleanup re-entered `libc::exit` it resumes the run;
//!    on another thread that called `exit` meanwhile (glibc's `exit` is not
//!    serialised) it waits until the run is done, so the process does not
//!    end under the cleanups.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::process::final_run;

static INSTALLED: Once = Once::new();

/// Registers the exit handlers and the fork handlers, once per process. A
/// second caller waits until the first is done, so no cleanup is ever
/// registered without a handler to run it. Plain libc (and an atomic wait):
/// it may run before `main`.
pub(crate) fn install_once() {
    INSTALLED.call_once(|| {
        platform::register();
        crate::process::fork::install();
    });
}

/// Runs `f`, swallowing any panic: a panic escaping an `extern "C"`
/// function aborts the process and skips every later exit handler.
fn guarded(f: impl FnOnce()) {
    let _ = panic::catch_unwind(AssertUnwindSafe(f));
}

cfg_glibc_on_exit! {
mod platform {
    //! glibc: `on_exit` passes the exit status to the handler.
    use super::*;
    use std::ffi::{c_int, c_void};

    unsafe extern "C" {
        /// glibc's `on_exit(3)`; the `libc` crate does not declare it.
        fn on_exit(function: extern "C" fn(c_int, *mut c_void), arg: *mut c_void) -> c_int;
    }

    pub(super) fn register() {
        // SAFETY: plain registrations of `extern "C"` functions that never
        // unwind (see `guarded`); the argument pointer is unused. Order
        // matters: the barrier first, so it runs second.
        unsafe {
            on_exit(barrier, std::ptr::null_mut());
            on_exit(run_cleanups, std::ptr::null_mut());
        }
    }

    extern "C" fn run_cleanups(status: c_int, _: *mut c_void) {
        guarded(|| final_run::run_at_exit(Some(status)));
    }

    extern "C" fn barrier(status: c_int, _: *mut c_void) {
        guarded(|| final_run::exit_barrier(Some(status)));
    }
}
}

cfg_not_glibc_on_exit! {
mod platform {
    //! Elsewhere (musl, Android, macOS, the BSDs; Windows through the CRT's
    //! `atexit`; glibc under `--cfg cleanup_runtime_portable`): `atexit`,
    //! which does not tell the exit status.
    use super::*;

    pub(super) fn register() {
        // SAFETY: plain registrations of `extern "C"` functions that never
        // unwind (see `guarded`). The barrier first, so it runs second.
        unsafe {
            libc::atexit(barrier);
            libc::atexit(run_cleanups);
        }
    }

    extern "C" fn run_cleanups() {
        guarded(|| final_run::run_at_exit(None));
    }

    extern "C" fn barrier() {
        guarded(|| final_run::exit_barrier(None));
    }
}
}
