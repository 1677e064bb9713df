//! What the runtime itself writes to stderr, and its one flush of stdout.
//!
//! These run at exit, where stderr may be closed, a pipe whose reader is
//! gone, or a pipe nobody reads. Two rules follow:
//!
//! - Never through std's `Stderr`. Its lock is held for as long as a thread
//!   is blocked writing (a full pipe) or by a cleanup that hangs holding
//!   `stderr().lock()`; the report and the deadline must get through that.
//!   Every write here is `write(2)` on fd 2 (Windows:
//!   `WriteFile` on the standard error handle). std's stderr is
//!   unbuffered, so nothing written through it is reordered by this.
//! - Never fail loudly: `eprintln!` would panic on a closed stderr, and a
//!   panic escaping the exit hook aborts the process and skips every later
//!   handler. Errors are ignored.

use std::fmt;
use std::io::Write;
#[cfg(unix)]
use std::os::fd::RawFd;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::base::{system_calls, time_limited};

#[cfg(unix)]
const STDERR: RawFd = 2;

/// Writes `cleanup: <message>` as one line on stderr, ignoring failures.
/// Only libc-level calls (an allocation and `write(2)`), so it may run
/// before `main` too.
pub(crate) fn warn(message: fmt::Arguments<'_>) {
    let mut line = Vec::with_capacity(128);
    // Writing to a Vec cannot fail.
    let _ = writeln!(line, "cleanup: {message}");
    write_stderr(&line);
}

/// Writes `bytes` to stderr, ignoring failures: waiting as long as stderr
/// does, or, once the final run has a deadline, until
/// [`writes_give_up_at`].
pub(crate) fn write_stderr(bytes: &[u8]) {
    write_stderr_until(bytes, writes_give_up_at());
}

/// Once the final run has a deadline, when every write here gives up (the
/// deadline plus the report's grace), with the pid of the process whose
/// run it is: a child forked during the run has a run of its own.
static GIVE_UP_AT: Mutex<Option<(u32, Instant)>> = Mutex::new(None);

/// From now on, in this process, no write here waits past `at`: set when
/// the final run starts with a deadline, so that nothing the runtime
/// writes (a warning on a full stderr pipe included) can hold the process
/// past it.
pub(crate) fn set_writes_give_up_at(at: Instant) {
    *GIVE_UP_AT.lock().unwrap_or_else(PoisonError::into_inner) = Some((system_calls::own_id(), at));
}

/// See [`set_writes_give_up_at`]; `None` before (or without) a deadline.
pub(crate) fn writes_give_up_at() -> Option<Instant> {
    match *GIVE_UP_AT.lock().unwrap_or_else(PoisonError::into_inner) {
        Some((pid, at)) if pid == system_calls::own_id() => Some(at),
        _ => None,
    }
}

/// Writes `bytes` to stderr, giving up at `give_up_at` (if any) whatever is
/// left: a pipe nobody reads must not hold the end of the process. Returns
/// whether everything was written.
///
/// With a limit, each `write(2)` comes after `poll` said the fd takes more,
/// and is at most `PIPE_BUF` bytes: a pipe that has room for any write has
/// room for that much, so it never blocks (a terminal or a socket may still
/// block briefly; a regular file does not wait on readers at all).
#[cfg(unix)]
pub(crate) fn write_stderr_until(bytes: &[u8], give_up_at: Option<Instant>) -> bool {
    write_fd_until(STDERR, bytes, give_up_at)
}

/// Windows: `WriteFile` on the standard error handle, which takes no lock
/// of std's or of the C runtime's. There is no `poll` on a pipe handle, so
/// with a limit the write is made on a thread of its own, waited for until
/// `give_up_at`; a write still blocked then is left to end with the
/// process.
#[cfg(windows)]
pub(crate) fn write_stderr_until(bytes: &[u8], give_up_at: Option<Instant>) -> bool {
    let Some(give_up_at) = give_up_at else {
        return write_stderr_handle(bytes);
    };
    let bytes = bytes.to_vec();
    let written = time_limited::on_own_thread("cleanup-stderr", give_up_at, move || {
        write_stderr_handle(&bytes)
    });
    matches!(written, time_limited::Bounded::Done(true))
}

/// Writes all of `bytes` to the standard error handle; whether it could.
#[cfg(windows)]
fn write_stderr_handle(mut bytes: &[u8]) -> bool {
    use windows_sys::Win32::Storage::FileSystem::WriteFile;
    use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE};
    // SAFETY: GetStdHandle has no preconditions; a missing or invalid
    // handle makes WriteFile fail, which ends the loop.
    let handle = unsafe { GetStdHandle(STD_ERROR_HANDLE) };
    while !bytes.is_empty() {
        let chunk = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        let mut written = 0u32;
        // SAFETY: writes from a live buffer of at least `chunk` bytes;
        // `written` is a valid out-parameter; no OVERLAPPED: a plain write.
        let ok = unsafe {
            WriteFile(
                handle,
                bytes.as_ptr(),
                chunk,
                &mut written,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 || written == 0 {
            return false;
        }
        bytes = &bytes[written as usize..];
    }
    true
}

#[cfg(unix)]
fn write_fd_until(fd: RawFd, mut bytes: &[u8], give_up_at: Option<Instant>) -> bool {
    while !bytes.is_empty() {
        let chunk = match give_up_at {
            Some(give_up_at) => {
                if !wait_writable(fd, Some(give_up_at)) {
                    return false;
                }
                &bytes[..bytes.len().min(libc::PIPE_BUF)]
            }
            None => bytes,
        };
        // SAFETY: writes from a live buffer of the given length.
        let written = unsafe { libc::write(fd, chunk.as_ptr().cast(), chunk.len()) };
        match usize::try_from(written) {
            Ok(0) => return false,
            Ok(written) => bytes = &bytes[written..],
            Err(_) => match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => {}
                // Someone made the fd non-blocking: wait for room instead.
                Some(libc::EAGAIN) if give_up_at.is_none() => {
                    if !wait_writable(fd, None) {
                        return false;
                    }
                }
                Some(libc::EAGAIN) => {}
                _ => return false, // closed, a reader gone, a full disk
            },
        }
    }
    true
}

/// Waits until `fd` takes more bytes, or until `give_up_at`; returns
/// whether it does.
#[cfg(unix)]
fn wait_writable(fd: RawFd, give_up_at: Option<Instant>) -> bool {
    loop {
        let timeout_ms = match give_up_at {
            None => -1,
            Some(give_up_at) => {
                let left = give_up_at.saturating_duration_since(Instant::now());
                // Rounded up, so a wait never ends early and spins.
                let ms = left.as_nanos().div_ceil(1_000_000);
                libc::c_int::try_from(ms).unwrap_or(libc::c_int::MAX)
            }
        };
        let mut pollfd = libc::pollfd {
            fd,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd, and its count.
        let ready = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
        match ready {
            // POLLERR/POLLHUP: the write that follows says what went wrong.
            1.. => return pollfd.revents & libc::POLLNVAL == 0,
            0 if timeout_ms == 0 => return false,
            0 => {} // the limit rounded up; check the clock again
            _ if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) => {}
            _ => return false,
        }
    }
}

/// How long the process waits for its flush of std's stdout at the end.
/// It is only ever reached when another thread holds stdout (std's own
/// exit then skips the flush), or stdout is a full pipe.
const STDOUT_FLUSH_WAIT: Duration = Duration::from_millis(100);

/// Flushes std's stdout where that does not wait on another thread.
///
/// std's own `exit` flushes stdout only if its lock is free (`try_lock`);
/// std offers no such call to us, and a thread stuck in `println!` on a
/// full pipe holds that lock for good. So a thread of its own flushes, and
/// the caller goes on when it is done or after [`STDOUT_FLUSH_WAIT`],
/// whichever comes first (the process is ending: the thread ends with it).
pub(crate) fn flush_stdout_if_free() {
    // The work returns `()`, as the report writer's does, so the two
    // share one compiled copy of the channel back (about 1,000 lines of
    // LLVM IR per result type); a failed flush is nothing to act on.
    let _ = time_limited::on_own_thread(
        "cleanup-flush-stdout",
        Instant::now() + STDOUT_FLUSH_WAIT,
        || {
            let _ = std::io::stdout().flush();
        },
    );
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn pipe() -> (RawFd, RawFd) {
        let mut fds = [0; 2];
        // SAFETY: pipe fills the two-element array it is given. (`pipe`,
        // not `pipe2`: macOS has no `pipe2`; the test runs no other program.)
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        (fds[0], fds[1])
    }

    fn close(fd: RawFd) {
        // SAFETY: closes an fd this test opened and no longer uses.
        unsafe { libc::close(fd) };
    }

    #[test]
    fn a_full_pipe_nobody_reads_gives_up_at_the_limit() {
        let (read, write) = pipe();
        let bytes = vec![b'x'; 1 << 20]; // far more than a pipe holds
        let limit = Instant::now() + Duration::from_millis(50);
        assert!(!write_fd_until(write, &bytes, Some(limit)));
        close(read);
        close(write);
    }

    #[test]
    fn a_reader_that_reads_gets_every_byte_within_the_limit() {
        let (read, write) = pipe();
        let bytes: Vec<u8> = (0..(1u32 << 20)).map(|i| i as u8).collect();
        let reader = std::thread::spawn(move || {
            // SAFETY: the read end is ours alone from here on.
            let mut file = unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(read) };
            let mut got = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut got).expect("read the pipe");
            got
        });
        let limit = Instant::now() + Duration::from_secs(60);
        assert!(write_fd_until(write, &bytes, Some(limit)));
        close(write);
        assert_eq!(reader.join().expect("reader"), bytes);
    }

    #[test]
    fn a_pipe_whose_reader_is_gone_is_a_failure_not_a_hang() {
        let (read, write) = pipe();
        close(read);
        // Rust ignores SIGPIPE: the write fails with EPIPE.
        assert!(!write_fd_until(write, b"lost", None));
        let limit = Instant::now() + Duration::from_secs(60);
        assert!(!write_fd_until(write, b"lost", Some(limit)));
        close(write);
    }
}
