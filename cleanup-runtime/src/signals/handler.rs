//! The part that runs inside the signal handler.
//!
//! Everything here is async-signal-safe: lock-free atomics, `sigaction`, `getpid`,
//! `write`, `raise` and `_exit` (POSIX.1-2017 §2.4.3), errno's own
//! location (through the `errno` crate), and signal-hook's
//! `emulate_default_handler`, which is built from the same calls. No lock,
//! no allocation, no std I/O.
//!
//! It calls out of this file to three items only, all on the bottom floor
//! and documented async-signal-safe where they are defined:
//! [`pending::anything_pending`] (two relaxed loads),
//! [`ending::signal_arrived`] (a few sequentially consistent atomic
//! operations on how the process is ending, and on `base::listening`'s),
//! and [`die_now`]. Anything added to the handler must be listed here.

use std::ffi::c_int;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use super::die_now;
use crate::base::ending::{self, Arrival};
use crate::base::{pending, system_calls};

/// The write end of the pipe the watcher thread reads; -1 before arming.
pub(super) static WAKE_FD: AtomicI32 = AtomicI32::new(-1);
/// The process that armed the handlers: a forked child has another pid and
/// no watcher thread.
pub(super) static ARMED_PID: AtomicI32 = AtomicI32::new(0);
/// One bit per signal (`1 << signal`) that our handler received and the
/// watcher has not taken yet. The byte in the pipe only wakes the watcher;
/// this is what says the signal is real, so a byte someone else wrote into
/// the pipe is never taken for a signal. 32 bits hold the handled signals
/// (1, 2, 15 everywhere) and are lock-free on every target.
static RECEIVED: AtomicU32 = AtomicU32::new(0);

/// Our handler for SIGINT, SIGTERM and SIGHUP.
pub(super) extern "C" fn on_signal(signal: c_int) {
    // Called although ours is no longer the installed handler: a handler
    // installed later (signal-hook, tokio) chains to the one it replaced.
    // The program owns the signal now; stand aside.
    if !is_installed(signal) {
        return;
    }
    let in_armed_process = system_calls::process_id() == ARMED_PID.load(Ordering::Relaxed);
    // Signals are counted. The first one during a run that is already
    // going on (the run at exit) lets it finish and end the process by this
    // signal. A second signal while cleanups run, nothing to clean up (no
    // need to wake the watcher: the signal acts as if we were not there),
    // or a forked child whose watcher thread stayed in the parent: end
    // now, as the signal would have.
    // Recorded first: a run that starts before the watcher reads the byte
    // (`main` returns meanwhile) ends by this signal too. A listening
    // program's shutdown request wakes the watcher even with nothing to
    // clean up: it wakes the program's waiters.
    let woken = match ending::signal_arrived(signal) {
        // The run going on ends the process by this signal when it is done.
        Arrival::RunGoingOn => return,
        Arrival::CutShort => false,
        Arrival::Request => in_armed_process && wake_watcher(signal),
        Arrival::Ending => pending::anything_pending() && in_armed_process && wake_watcher(signal),
    };
    if !woken {
        die_now(signal);
    }
}

/// The handler installed for `signal` right now (`SIG_DFL`, `SIG_IGN` or a
/// function), if the query succeeds. Async-signal-safe.
pub(super) fn current_action(signal: c_int) -> Option<libc::sighandler_t> {
    // SAFETY: a zeroed sigaction is a valid out-parameter; sigaction with a
    // null new action only reads the current one and is async-signal-safe.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        (libc::sigaction(signal, std::ptr::null(), &mut current) == 0)
            .then_some(current.sa_sigaction)
    }
}

/// Our handler as `sigaction` stores it.
pub(super) fn our_action() -> libc::sighandler_t {
    on_signal as extern "C" fn(c_int) as libc::sighandler_t
}

/// Whether `on_signal` is the handler installed for `signal` right now.
pub(super) fn is_installed(signal: c_int) -> bool {
    current_action(signal) == Some(our_action())
}

/// Hands the signal to the watcher thread: marks it received, then writes
/// its number into the pipe. The write end is non-blocking, so this never
/// waits; `false` if the watcher cannot be woken.
fn wake_watcher(signal: c_int) -> bool {
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return false;
    }
    RECEIVED.fetch_or(mark(signal), Ordering::SeqCst);
    write_keeping_errno(fd, signal as u8)
}

/// Wakes the signal thread with a byte that stands for no signal (the
/// thread then reads its state: a pause asks it to end). Not from a
/// handler.
pub(super) fn nudge() {
    let fd = WAKE_FD.load(Ordering::Relaxed);
    if fd >= 0 {
        let _ = write_keeping_errno(fd, 0);
    }
}

/// Writes `byte` to `fd`; whether it is in the pipe, or the pipe is full.
///
/// errno is saved and restored around the write because the interrupted
/// code may be about to read it. The `errno` crate reads and writes it
/// through each target's own symbol (`__errno_location` on Linux, `__error`
/// on macOS and FreeBSD, `__errno` on Android and NetBSD/OpenBSD, ...): one
/// load or store through the pointer libc gives, async-signal-safe. It
/// earns its place: one crate, 0.08 s of a cold debug build, against a
/// per-target table of errno's symbol written here.
fn write_keeping_errno(fd: c_int, byte: u8) -> bool {
    let saved = errno::errno();
    // SAFETY: writes one byte from a live local to a pipe we own; write is
    // async-signal-safe.
    let written = unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    // A full pipe (someone else filled it) has bytes for the watcher to
    // read: it wakes and finds the mark.
    let woken = written == 1 || errno::errno().0 == libc::EAGAIN;
    errno::set_errno(saved);
    woken
}

/// The signal the watcher acts on after reading `byte` from the pipe, if
/// any: the one the byte names if our handler marked it received, else
/// any other marked one (its own byte may have found the pipe full), else
/// none — a byte our handler did not write. Each mark is taken once.
#[expect(
    clippy::manual_find,
    reason = "a plain loop compiles less than the adapters (see inside)"
)]
pub(super) fn take_received(byte: u8) -> Option<c_int> {
    let take = |signal: c_int| {
        let bit = mark(signal);
        bit != 0 && RECEIVED.fetch_and(!bit, Ordering::SeqCst) & bit != 0
    };
    // Plain tests, not `once(named).chain(HANDLED).find(..)`: those
    // adapters compiled about 600 lines of LLVM IR for three signals.
    let named = c_int::from(byte);
    if take(named) {
        return Some(named);
    }
    for &signal in &super::install::HANDLED {
        if take(signal) {
            return Some(signal);
        }
    }
    None
}

/// Forgets the marks: a forked child arming again must not act on a signal
/// its parent received.
pub(super) fn forget_received() {
    RECEIVED.store(0, Ordering::SeqCst);
}

/// The bit of `signal` in [`RECEIVED`]; 0 for a number that has none.
fn mark(signal: c_int) -> u32 {
    u32::try_from(signal)
        .ok()
        .and_then(|shift| 1u32.checked_shl(shift))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_leaves_errno_as_the_interrupted_code_had_it() {
        let mut fds = [0; 2];
        // SAFETY: pipe fills the two-element array it is given.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        errno::set_errno(errno::Errno(libc::ENOENT));
        assert!(write_keeping_errno(fds[1], 1));
        assert_eq!(errno::errno().0, libc::ENOENT);
        // A failed write (EBADF) sets errno too; it is put back.
        assert!(!write_keeping_errno(-1, 1));
        assert_eq!(errno::errno().0, libc::ENOENT);
        // SAFETY: closes the fds this test opened.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }

    #[test]
    fn the_watcher_takes_only_marked_signals_each_once() {
        forget_received();
        // Bytes our handler did not write: nothing to act on.
        for forged in [0, libc::SIGTERM as u8, b'h', u8::MAX] {
            assert_eq!(take_received(forged), None);
        }
        // Our byte found the pipe full; any byte finds the mark.
        RECEIVED.fetch_or(mark(libc::SIGTERM), Ordering::SeqCst);
        assert_eq!(take_received(b'h'), Some(libc::SIGTERM));
        assert_eq!(take_received(libc::SIGTERM as u8), None);
        // The signal the byte names comes first; the other on the next byte.
        RECEIVED.fetch_or(mark(libc::SIGINT) | mark(libc::SIGHUP), Ordering::SeqCst);
        assert_eq!(take_received(libc::SIGHUP as u8), Some(libc::SIGHUP));
        assert_eq!(take_received(libc::SIGHUP as u8), Some(libc::SIGINT));
        assert_eq!(take_received(libc::SIGINT as u8), None);
    }
}
