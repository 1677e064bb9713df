//! Our panic hook: it notices a panic on the main thread (so a report can
//! say the process ended by a panic) and std's abort when a cleanup calls
//! `std::process::exit` during the run at exit.
//!
//! Since Rust 1.81 std guards `exit` against re-entry with a panic that
//! cannot unwind: `catch_unwind` never sees it, but the panic hook runs, on
//! the cleanup's own stack (seen with Rust 1.95: the message is
//! "process::exit called re-entrantly"). That is the one place to notice
//! it. The rest of the run then goes on on another thread, and the
//! panicking thread returns from the hook, releasing std's hook lock, and
//! stops at the abort that follows (see `after_hook`). In a `panic =
//! "abort"` build, a panic on the runtime thread of async cleanups (feature
//! `tokio`) is handed to the thread waiting for that cleanup, which panics
//! with it as a sync cleanup would (`run::async_driver`).
//!
//! The hook is installed at the first use of the API and again when the run
//! at exit starts, each time chained to the hook in place, so a hook the
//! program set in between keeps working.

#[cfg_attr(windows, path = "panic_hook/after_hook_windows.rs")]
mod after_hook;

use std::cell::Cell;
use std::panic;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::base::{ending, text, thread_token};
use crate::process::final_run;
use crate::report::EntryStatus;
#[cfg(feature = "tokio")]
use crate::run::async_driver;
use crate::run::runner;

static MAIN_PANICKED: AtomicBool = AtomicBool::new(false);
static FIRST_USE: Once = Once::new();
/// How many threads are inside one of our hooks right now. std holds its
/// hook lock for reading while a hook runs, and `take_hook` waits for it:
/// while any thread is inside ours, ours is still the installed hook (no
/// `set_hook` can have got in since that thread entered it), so
/// [`install`] has nothing to do and must not wait for that thread, which
/// may be stuck for good (std's default hook writing to a stderr pipe
/// nobody reads).
static INSIDE: AtomicUsize = AtomicUsize::new(0);

/// What std's guard says when `exit` is re-entered on one thread.
const REENTRANT_EXIT: &str = "process::exit called re-entrantly";

thread_local! {
    /// Whether one of our hooks is handling a panic on this thread. Ours is
    /// installed twice (first use, run start), the second chained over the
    /// first: the inner one only passes the panic on, so it is acted on
    /// once.
    static HANDLING: Cell<bool> = const { Cell::new(false) };
}

/// Installs the hook once, at the first use of the API.
#[inline]
pub(crate) fn install_once() {
    FIRST_USE.call_once(install);
}

/// Chains our hook over the current one, unless ours is installed and
/// running on some thread now (see [`INSIDE`]).
///
/// Otherwise this waits for std's hook lock: a thread stuck inside the
/// program's own hook holds it. At the start of the final run that wait is
/// bounded by the deadline, whose watchdog starts first.
pub(crate) fn install() {
    // `set_hook` panics on a panicking thread.
    if std::thread::panicking() || INSIDE.load(Ordering::SeqCst) > 0 {
        return;
    }
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let _inside = Inside::enter();
        if HANDLING.replace(true) {
            previous(info);
            return;
        }
        let message = info
            .payload_as_str()
            .unwrap_or("panic with a non-string payload");
        let failure = || runner::failure(EntryStatus::Panic, message.to_owned());
        // In a `panic = "abort"` build an async cleanup's panic happens on
        // the runtime thread: it goes to the thread waiting for that
        // cleanup, which panics with it (seen below as a sync cleanup's
        // panic); the runtime thread stops for good.
        #[cfg(feature = "tokio")]
        if cfg!(panic = "abort") && async_driver::is_runtime_thread() {
            previous(info);
            if async_driver::runtime_thread_panicked(message) || final_run::run_before_abort() {
                after_hook::stop_at_the_abort();
            }
            return;
        }
        // The program's hook saw that panic already, on the runtime thread.
        #[cfg(feature = "tokio")]
        let previous = |info: &panic::PanicHookInfo<'_>| {
            if !async_driver::is_panicking_again() {
                previous(info);
            }
        };
        // In a `panic = "abort"` build a timed cleanup's panic ends that
        // cleanup; its thread must then never return to std.
        if cfg!(panic = "abort") && final_run::is_timed_helper() {
            previous(info);
            final_run::timed_cleanup_panicked(failure());
            after_hook::stop_at_the_abort();
            return;
        }
        if ending::is_final_runner() {
            if text::contains(message, REENTRANT_EXIT) {
                final_run::resume_after_fatal_panic(None);
                after_hook::stop_at_the_abort();
                return;
            }
            if cfg!(panic = "abort") {
                previous(info);
                final_run::resume_after_fatal_panic(failure());
                after_hook::stop_at_the_abort();
                return;
            }
        }
        if thread_token::is_main() {
            MAIN_PANICKED.store(true, Ordering::Relaxed);
        }
        previous(info);
        if cfg!(panic = "abort") && final_run::run_before_abort() {
            after_hook::stop_at_the_abort();
        }
        HANDLING.set(false);
    }));
}

/// Counts a thread in [`INSIDE`] until dropped, however the hook is left.
struct Inside;

impl Inside {
    fn enter() -> Inside {
        INSIDE.fetch_add(1, Ordering::SeqCst);
        Inside
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether a panic on the main thread went through our hook.
pub(crate) fn main_thread_panicked() -> bool {
    MAIN_PANICKED.load(Ordering::Relaxed)
}
