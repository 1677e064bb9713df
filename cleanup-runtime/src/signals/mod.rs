//! SIGINT, SIGTERM and SIGHUP: run the cleanups, then let the signal end the
//! process as it would have — or, once the program listens for shutdown
//! ([`shutdown`]), wake it and give it the grace period first.
//!
//! May use: `base/`, `registry/` (only [`anything_pending`], from the
//! handler, and `first_use::ensure`, which a program's first listen calls
//! as its first registration would). The watcher starts the final run,
//! and the handler records the signal with it, through
//! [`crate::base::upward`]; nothing here imports `process/`.
//! Used by: `process/` (arms the handlers at first use and after `fork`,
//! ends the process by a signal with `die_now`), `lib.rs` (which re-exports
//! the public [`shutdown`]).
//! Architecture invariant: only `handler.rs` runs inside a signal handler,
//! and it calls nothing that is not async-signal-safe.
//!
//! [`anything_pending`]: crate::registry::anything_pending
//!
//! Split by danger, as signal-hook does: `handler` is what runs inside the
//! signal handler (async-signal-safe only); `watcher` is the normal thread
//! that runs the cleanups; `posix` installs them; this file decides when.
//! On Windows, `console` stands for all three: a console control handler
//! (Ctrl-C, Ctrl-Break, the console closing, system shutdown) runs on a
//! normal thread the system starts for each event (PORTABILITY.md,
//! "Windows").
//!
//! # Rules
//!
//! - Armed lazily, when there is first something to clean up: at the first
//!   run-time registration, or before `main` by a constructor that each
//!   `#[at_exit]`/`#[cleanup]` brings. A program with no cleanups keeps the
//!   default dispositions and starts no thread.
//! - Installed only over the default action. A signal ignored since the
//!   program started (nohup, `cmd &`) stays ignored; one that already has a
//!   handler belongs to whoever installed it.
//! - Decided again when the signal arrives: if ours is no longer the
//!   installed handler (the program installed its own later, through
//!   signal-hook, tokio or `sigaction`), ours stands aside even when the
//!   new handler chains to it. Node's `signal-exit` behaves the same.
//!   signal-hook's own registration is not used for this reason: its
//!   handler stays installed whoever else registers, so "is the program
//!   handling this signal itself?" could not be answered.
//! - Off switches: cargo feature `signals` (on by default), the
//!   `CLEANUP_SIGNALS=off` environment variable, and
//!   [`leave_signals_alone`](crate::leave_signals_alone).

mod acting;
#[cfg(windows)]
mod console;
#[cfg(unix)]
mod handler;
#[cfg(unix)]
mod posix;
pub mod shutdown;
#[cfg(unix)]
mod watcher;

#[cfg(windows)]
use console as platform;
#[cfg(unix)]
use posix as platform;

use std::ffi::c_int;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::base::diagnostics;
use crate::base::environment::{self, Variable};

const NOT_ARMED: u8 = 0;
const ARMED: u8 = 1;
const LEFT_ALONE: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(NOT_ARMED);

/// Installs our handlers where the default action is in place, once per
/// process. One load after the first call: it is on every registration's
/// path. Plain libc only (and std's environment, which is libc's behind a
/// static lock): it may run before `main`.
#[inline]
pub(crate) fn arm() {
    if cfg!(feature = "signals") && STATE.load(Ordering::Acquire) == NOT_ARMED {
        arm_now();
    }
}

#[cold]
fn arm_now() {
    if STATE
        .compare_exchange(NOT_ARMED, ARMED, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return;
    }
    if !enabled_by_environment() {
        STATE.store(LEFT_ALONE, Ordering::Release);
        return;
    }
    platform::install_handlers();
}

/// Whether [`leave_alone`] was called (or `CLEANUP_SIGNALS=off`): a
/// handler called after that stands aside.
#[cfg(windows)]
fn left_alone() -> bool {
    STATE.load(Ordering::Acquire) == LEFT_ALONE
}

/// Ends the process by `signal` now, as its default action would (as PID 1:
/// status `128 + signal`; on Windows: as the default console control
/// handler would).
pub(crate) fn die_now(signal: c_int) -> ! {
    platform::die_now(signal)
}

/// In a forked child: the watcher thread stayed in the parent, so arming
/// may happen again here (at the child's first registration, or when it
/// adopts the parent's cleanups). Until then the handler sees the pid
/// differ and lets the signal act as its default would.
#[cfg(unix)]
pub(crate) fn forget_watcher_after_fork() {
    if STATE.load(Ordering::Relaxed) == ARMED {
        STATE.store(NOT_ARMED, Ordering::Relaxed);
    }
}

/// Stops handling SIGINT, SIGTERM and SIGHUP (Windows: console control
/// events). See [`crate::leave_signals_alone`].
pub(crate) fn leave_alone() {
    STATE.store(LEFT_ALONE, Ordering::Release);
    platform::remove_handlers();
}

/// `CLEANUP_SIGNALS`, read once when arming; not read in a privileged
/// process (see `environment`), where signals are handled.
fn enabled_by_environment() -> bool {
    let Some(value) = environment::read(Variable::Signals) else {
        return true;
    };
    match value.as_encoded_bytes() {
        b"off" | b"0" | b"false" | b"no" => false,
        b"on" | b"1" | b"true" | b"yes" | b"" => true,
        _ => {
            diagnostics::warn(format_args!(
                "{}={value:?} is not one of on, off; handling signals",
                Variable::Signals.name()
            ));
            true
        }
    }
}
