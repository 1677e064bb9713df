//! SIGINT, SIGTERM and SIGHUP: run the cleanups, then let the signal end the
//! process as it would have — or, once the program listens for shutdown
//! ([`shutdown`]), wake it and give it the grace period first.
//!
//! May use: `base/`, `registry/` (only [`anything_pending`], from the
//! handler). The watcher starts the final run, and the handler records the
//! signal with it, through [`crate::base::upward`]; nothing here imports
//! `process/`.
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
//! that runs the cleanups; this file decides when to install what.
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

mod handler;
pub mod shutdown;
mod watcher;

use std::ffi::c_int;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};

use crate::base::diagnostics;
use crate::base::environment::{self, Variable};

/// The signals whose default action ends the process and that we handle.
pub(crate) const HANDLED: [c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

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
    // Ours may be installed already: in a forked child, whose watcher
    // thread stayed in the parent.
    let takeable: Vec<c_int> = HANDLED
        .into_iter()
        .filter(|&s| has_default_action(s) || handler::is_installed(s))
        .collect();
    if takeable.is_empty() {
        return;
    }
    if let Err(error) = start_watcher() {
        diagnostics::warn(format_args!(
            "signals left alone: could not start the signal watcher: {error}"
        ));
        return;
    }
    for signal in takeable {
        install(signal);
    }
}

/// Ends the process by `signal` now, as its default action would (as PID 1:
/// status `128 + signal`).
pub(crate) fn die_now(signal: c_int) -> ! {
    handler::die_now(signal)
}

/// In a forked child: the watcher thread stayed in the parent, so arming
/// may happen again here (at the child's first registration, or when it
/// adopts the parent's cleanups). Until then the handler sees the pid
/// differ and lets the signal act as its default would.
pub(crate) fn forget_watcher_after_fork() {
    if STATE.load(Ordering::Relaxed) == ARMED {
        STATE.store(NOT_ARMED, Ordering::Relaxed);
    }
}

/// Stops handling SIGINT, SIGTERM and SIGHUP. See
/// [`crate::leave_signals_alone`].
pub(crate) fn leave_alone() {
    STATE.store(LEFT_ALONE, Ordering::Release);
    for signal in HANDLED {
        if handler::is_installed(signal) {
            restore_default(signal);
        }
    }
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

fn has_default_action(signal: c_int) -> bool {
    handler::current_action(signal) == Some(libc::SIG_DFL)
}

/// Opens the wake pipe and starts the watcher thread reading it.
fn start_watcher() -> io::Result<()> {
    let (read_end, write_end) = wake_pipe()?;
    // The handler must never block on a full pipe.
    // SAFETY: fcntl on an fd we own.
    unsafe {
        let flags = libc::fcntl(write_end.as_raw_fd(), libc::F_GETFL);
        libc::fcntl(
            write_end.as_raw_fd(),
            libc::F_SETFL,
            flags | libc::O_NONBLOCK,
        );
    }
    handler::forget_received();
    watcher::start(read_end.as_raw_fd())?;
    // Both ends live as long as the process: the watcher reads one, the
    // handler writes the other.
    let _ = read_end.into_raw_fd();
    handler::WAKE_FD.store(write_end.into_raw_fd(), Ordering::Release);
    // SAFETY: getpid has no preconditions.
    handler::ARMED_PID.store(unsafe { libc::getpid() }, Ordering::Release);
    Ok(())
}

/// A close-on-exec pipe, both ends above the standard fds.
///
/// Arming may run in a constructor before `main`, before std puts
/// `/dev/null` on closed fds 0-2: in a program started with them closed
/// (`cmd >&- 2>&-`, daemonizers, cron wrappers) the pipe would take them,
/// and the program's own `eprintln!` would then write into our pipe.
fn wake_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let [read_end, write_end] = cloexec_pipe()?;
    Ok((
        above_standard_fds(read_end)?,
        above_standard_fds(write_end)?,
    ))
}

/// A pipe whose two ends are close-on-exec from the start: `pipe2`, where
/// the `libc` crate declares it.
#[cfg(all(
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd"
    ),
    not(cleanup_runtime_portable)
))]
fn cloexec_pipe() -> io::Result<[OwnedFd; 2]> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: pipe2 fills the two-element array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 just opened both fds, and nothing else owns them.
    Ok(fds.map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// A close-on-exec pipe where `pipe2` is not declared (macOS and iOS,
/// Haiku, ...; Linux under `--cfg cleanup_runtime_portable`): `pipe`, then
/// `FD_CLOEXEC` on each end, as std does there. A `fork` + `exec` on
/// another thread in between would leak the two ends into that program;
/// they hold no data of its, and the watcher never waits for end-of-file.
#[cfg(not(all(
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd"
    ),
    not(cleanup_runtime_portable)
)))]
fn cloexec_pipe() -> io::Result<[OwnedFd; 2]> {
    let mut fds = [0 as c_int; 2];
    // SAFETY: pipe fills the two-element array it is given.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe just opened both fds, and nothing else owns them.
    let ends = fds.map(|fd| unsafe { OwnedFd::from_raw_fd(fd) });
    for end in &ends {
        // SAFETY: fcntl with F_SETFD on an fd we own only sets its flag.
        if unsafe { libc::fcntl(end.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(ends)
}

/// `fd` itself if it is above 2; otherwise a close-on-exec duplicate at 3
/// or above, and `fd` is closed (so std's start-up still finds the
/// standard fd closed and puts `/dev/null` there).
fn above_standard_fds(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > libc::STDERR_FILENO {
        return Ok(fd);
    }
    // SAFETY: fcntl with F_DUPFD_CLOEXEC on an fd we own only creates a
    // new fd.
    let moved = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if moved < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fcntl just opened `moved`, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(moved) })
}

/// Our handler, with SA_RESTART so the program's interrupted system calls
/// resume while the cleanups run on the watcher thread.
fn install(signal: c_int) {
    set_action(signal, handler::our_action(), libc::SA_RESTART);
}

fn restore_default(signal: c_int) {
    set_action(signal, libc::SIG_DFL, 0);
}

fn set_action(signal: c_int, handler: libc::sighandler_t, flags: c_int) {
    // SAFETY: `handler` is SIG_DFL or `on_signal`, which only does
    // async-signal-safe work (see `handler`); the action is fully
    // initialised (zeroed, empty mask) before the call.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = flags;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}
