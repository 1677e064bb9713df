//! SIGINT, SIGTERM and SIGHUP, and the thread that acts on them.
//!
//! The runtime catches these three signals once the program has something
//! to clean up (or listens for shutdown, [`crate::shutdown`]): our handler
//! only marks the signal and wakes a thread of the runtime's own, which
//! runs the cleanups and then ends the process by the signal, as the
//! [crate docs](crate#signals) say. That thread is the one a program that
//! sandboxes itself must know about: [`pause`] stops it while the program
//! sets up per-thread restrictions or makes itself single-threaded again,
//! and the thread that drops the guard starts the next one, inside those
//! rules.
//!
//! Which threads the runtime starts, and when:
//!
//! | thread | started | why |
//! |---|---|---|
//! | the waiting thread (Unix; unnamed) | when signals are armed: the first registration, a first listen, or before `main` with static cleanups | a signal handler may not run cleanups (no locks, no allocation), so a thread must be there to wake; this one is as light as a thread can be (a small stack taken from the heap, no malloc arena of its own), because every program that declares a cleanup starts it |
//! | `cleanup-signal` (Unix) | by the waiting thread, at the first signal (it then reaps the waiting thread); again when the last [`Paused`] drops | runs the cleanups on a signal (or wakes a listening program and waits out its grace), with a normal stack and guard page; it inherits the rules of the thread that started it (see [`pause`]) |
//! | a console event's thread (Windows); `cleanup-console` | by the system, for each event; ours after Ctrl-C and Ctrl-Break | the system's way; the handler must return for a second event to get through |
//! | `cleanup-deadline` | when the final run starts with a deadline | to end the process if the run overruns it |
//! | `cleanup-timeout` | for each cleanup with a timeout, during a run | to stop waiting for it |
//! | `cleanup-async` (feature `tokio`) | when the first async cleanup runs, and again after one is abandoned at its timeout | to drive async cleanups on a runtime of the crate's own |
//! | `cleanup-wake` | when a signal asks a listening program to shut down | to wake its futures' wakers, which may block |
//! | `cleanup-final-run` | when a cleanup ends the process in a way the run must go on from | to carry the run on |
//! | `cleanup-report`, `cleanup-stderr`, `cleanup-flush-stdout` | at the end of the final run | writing that must not hold the end of the process (a full pipe, a hung disk) |
//!
//! Inside the crate this folder is the signal floor: signals caught, handed
//! to a normal thread, and the process ended by a signal. What a signal
//! then *does* (run the cleanups, or give a listening program its grace
//! period) is not decided here: `process/` hands it over when it arms this
//! floor (`arm`, `Action`; `process::on_signal`), as signal-hook's
//! low-level floor leaves the decisions to its callers.
//!
//! May use: `base/` only (how the process is ending, whether anything is
//! pending, whether the program listens: all atomics there).
//! Used by: `process/` (arms it at first use and after `fork`, ends the
//! process by a signal with `die_now`); the public [`pause`].
//! Architecture invariant: only `handler.rs` runs inside a signal handler,
//! and it calls nothing that is not async-signal-safe; the one call up is
//! the `Action` given at arming.
//!
//! Split by danger: `handler` is what runs inside the signal handler
//! (async-signal-safe only); `signal_thread` is the normal thread that
//! reads the wake pipe and calls the action (stopped and started again by
//! `pause`); `install` installs them and makes the pipe; `die` ends the
//! process by a signal (the one definition); this file decides when. On
//! Windows, `install_windows.rs` stands for the first three: a console
//! control handler (Ctrl-C, Ctrl-Break, the console closing, system
//! shutdown) runs on a normal thread the system starts for each event
//! (PORTABILITY.md, "Windows").
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

mod die;
#[cfg(unix)]
mod handler;
#[cfg_attr(windows, path = "install_windows.rs")]
mod install;
mod pause;
#[cfg(unix)]
mod signal_thread;
#[cfg(unix)]
mod waiting_thread;

pub(crate) use die::die_now;
pub use pause::{Paused, pause};

use std::ffi::c_int;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use crate::base::diagnostics;
use crate::base::environment::{self, Variable};

const NOT_ARMED: u8 = 0;
const ARMED: u8 = 1;
const LEFT_ALONE: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(NOT_ARMED);

/// What a handled signal does once it reaches a normal thread: given the
/// signal, and a way to wait until the next one arrives or a limit (`None`:
/// none) passes. The floor never decides that itself: `process/` hands it
/// over when it arms the floor ([`arm`]), the one call this floor makes up.
pub(crate) type Action = fn(c_int, &mut dyn FnMut(Option<Duration>));

/// The [`Action`] given at the first [`arm`].
static ACTION: OnceLock<Action> = OnceLock::new();

/// Installs our handlers where the default action is in place, once per
/// process. One load after the first call: it is on every registration's
/// path. Plain libc only (and std's environment, which is libc's behind a
/// static lock): it may run before `main`.
///
/// `action` is what a handled signal does on a normal thread (see
/// [`Action`]); the first one given is kept.
#[inline]
pub(crate) fn arm(action: Action) {
    if cfg!(feature = "signals") && STATE.load(Ordering::Acquire) == NOT_ARMED {
        arm_now(action);
    }
}

#[cold]
fn arm_now(action: Action) {
    let _ = ACTION.set(action);
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
    install::install_handlers();
}

/// Whether [`leave_alone`] was called (or `CLEANUP_SIGNALS=off`): a
/// handler called after that stands aside.
#[cfg(windows)]
fn left_alone() -> bool {
    STATE.load(Ordering::Acquire) == LEFT_ALONE
}

/// Acts on `signal` on this normal thread, as `process/` said at arming
/// (see [`Action`]); `wait` waits for the next signal.
fn act(signal: c_int, wait: &mut dyn FnMut(Option<Duration>)) {
    if let Some(action) = ACTION.get() {
        action(signal, wait);
    }
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
    signal_thread::forget_after_fork();
}

/// Stops handling SIGINT, SIGTERM and SIGHUP (Windows: console control
/// events). See [`crate::leave_signals_alone`].
pub(crate) fn leave_alone() {
    STATE.store(LEFT_ALONE, Ordering::Release);
    install::remove_handlers();
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
