//! Unix: installing our signal handlers, the wake pipe, and the watcher
//! thread that reads it.

use std::ffi::c_int;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::Ordering;

use super::{handler, signal_thread};
use crate::base::{diagnostics, signal_calls, system_calls};

/// The signals whose default action ends the process and that we handle.
pub(super) const HANDLED: [c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Starts the watcher and installs our handler for each signal that still
/// has its default action, or has ours already: in a forked child, whose
/// watcher thread stayed in the parent.
pub(super) fn install_handlers() {
    // An array, not a `Vec`: this runs before `main`, where a program's
    // first allocation sets up malloc (a `getrandom` call, the heap and
    // its line in `/proc/self/maps`, which std reads before `main`).
    let takeable = HANDLED.map(|s| has_default_action(s) || handler::is_installed(s));
    if !takeable.contains(&true) {
        return;
    }
    if let Err(error) = start_watcher() {
        diagnostics::warn(format_args!(
            "signals left alone: could not start the signal watcher: {error}"
        ));
        return;
    }
    // Indices and references, not arrays iterated by value (`zip`): each
    // compiled an iterator of its own.
    for (index, &signal) in HANDLED.iter().enumerate() {
        if takeable[index] {
            install(signal);
        }
    }
}

/// Puts the default action back wherever ours is installed.
pub(super) fn remove_handlers() {
    for &signal in &HANDLED {
        if handler::is_installed(signal) {
            restore_default(signal);
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
    signal_thread::start(read_end.as_raw_fd())?;
    // Both ends live as long as the process: the watcher reads one, the
    // handler writes the other.
    let _ = read_end.into_raw_fd();
    handler::WAKE_FD.store(write_end.into_raw_fd(), Ordering::Release);
    handler::ARMED_PID.store(system_calls::process_id(), Ordering::Release);
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

cfg_pipe2! {
    /// A pipe whose two ends are close-on-exec from the start: `pipe2`, where
    /// the `libc` crate declares it.
    fn cloexec_pipe() -> io::Result<[OwnedFd; 2]> {
        let mut fds = [0 as c_int; 2];
        system_calls::cloexec_pipe(&mut fds)?;
        // SAFETY: pipe2 just opened both fds, and nothing else owns them.
        Ok(fds.map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }))
    }
}

cfg_not_pipe2! {
    /// A close-on-exec pipe where `pipe2` is not declared (macOS and iOS,
    /// Haiku, ...; Linux under `--cfg cleanup_runtime_portable`): `pipe`, then
    /// `FD_CLOEXEC` on each end, as std does there. A `fork` + `exec` on
    /// another thread in between would leak the two ends into that program;
    /// they hold no data of its, and the watcher never waits for end-of-file.
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
        action.sa_mask = signal_calls::empty_set();
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}
