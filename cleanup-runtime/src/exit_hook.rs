//! What runs before `main` and at `exit`: libc-level registration of our two
//! exit handlers.
//!
//! Before `main` std is not set up (no thread info, no stdout), so the
//! constructor only calls libc. The handlers themselves run inside `exit`,
//! after `main` returned or `exit` was called from any thread, and after a
//! panic unwound out of `main`.
//!
//! Two handlers are registered, one after the other, so glibc runs them
//! back to back (last registered first):
//!
//! 1. `run_cleanups` runs the cleanups once and writes the report.
//! 2. `barrier` is reached right after, by whichever thread walks the exit
//!    handlers next. On the runner thread after a normal run it does
//!    nothing; when a cleanup re-entered `libc::exit` it resumes the run;
//!    on another thread that called `exit` meanwhile (glibc's `exit` is not
//!    serialised) it waits until the run is done, so the process does not
//!    end under the cleanups.

use std::ffi::{c_int, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{final_run, thread_token};

/// The thread that ran the constructor: the main thread.
static MAIN_THREAD: AtomicUsize = AtomicUsize::new(0);

/// Whether `thread` is the main thread.
pub(crate) fn is_main_thread(thread: usize) -> bool {
    MAIN_THREAD.load(Ordering::Relaxed) == thread
}

#[ctor::ctor(unsafe)]
fn install_exit_handlers() {
    MAIN_THREAD.store(thread_token::current(), Ordering::Relaxed);
    platform::register();
    crate::fork::install();
}

/// Runs `f`, swallowing any panic: a panic escaping an `extern "C"`
/// function aborts the process and skips every later exit handler.
fn guarded(f: impl FnOnce()) {
    let _ = panic::catch_unwind(AssertUnwindSafe(f));
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod platform {
    //! glibc: `on_exit` passes the exit status to the handler.
    use super::*;

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

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod platform {
    //! Elsewhere: `atexit`, which does not tell the exit status.
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
