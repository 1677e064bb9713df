//! The signal thread: a normal thread, where locks, allocation and I/O are
//! allowed, that reads the wake pipe and acts on each signal our handler
//! marked, by calling the action `process/` gave when it armed the floor
//! (`process::on_signal`: run the cleanups and end the process by the
//! signal, or wake a listening program and wait out its grace period). It
//! lends that action a way to wait for the next signal (`wait_for_wake`),
//! so a second signal ends a grace period at once.

use std::ffi::{c_int, c_void};
use std::io;
use std::time::Duration;

use super::handler;

/// Starts the watcher on its own thread, reading one signal number per byte
/// from `read_fd`. A byte only wakes it: it acts on a signal only if our
/// handler marked it received (`handler::take_received`), so bytes written
/// into the pipe by anyone else are read and dropped.
///
/// A raw `pthread_create`, not `std::thread::spawn`: this may run in a
/// constructor before `main`, where std's thread machinery is not set up.
pub(super) fn start(read_fd: c_int) -> io::Result<()> {
    // SAFETY: `thread` is a valid out-parameter; `watch` matches the start
    // routine's signature and reads its argument only as an fd number.
    unsafe {
        let mut thread: libc::pthread_t = std::mem::zeroed();
        let fd_as_arg = read_fd as usize as *mut c_void;
        let result = libc::pthread_create(&mut thread, std::ptr::null(), watch, fd_as_arg);
        if result != 0 {
            return Err(io::Error::from_raw_os_error(result));
        }
        libc::pthread_detach(thread);
    }
    Ok(())
}

extern "C" fn watch(fd_as_arg: *mut c_void) -> *mut c_void {
    let read_fd = fd_as_arg as usize as c_int;
    // glibc gives a new thread its own malloc arena (a 128 MiB mapping) at
    // its first allocation; pay that now rather than after a signal.
    drop(std::hint::black_box(Box::new(0u64)));
    // Nothing may unwind out of a thread start routine.
    let _ = std::panic::catch_unwind(|| {
        loop {
            let mut byte = 0u8;
            // SAFETY: reads one byte into a live local from a pipe we own.
            let read = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
            match read {
                1 => {
                    if let Some(signal) = handler::take_received(byte) {
                        super::act(signal, &mut |limit| wait_for_wake(read_fd, limit));
                    }
                }
                -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                // The write end is never closed; anything else is unusable.
                _ => return,
            }
        }
    });
    std::ptr::null_mut()
}

/// Blocks until the wake pipe has a byte to read, or `limit` has passed,
/// and takes the mark that byte stands for, if our handler made one (see
/// `handler::take_received`); the signal itself is read from `listening`,
/// which the handler wrote first.
fn wait_for_wake(read_fd: c_int, limit: Option<Duration>) {
    if readable_within(read_fd, limit) {
        let mut byte = 0u8;
        // SAFETY: reads one byte into a live local from a pipe we own.
        if unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) } == 1 {
            let _ = handler::take_received(byte);
        }
    }
}

/// Whether `fd` has a byte to read within `limit` (`None`: no limit).
fn readable_within(fd: c_int, limit: Option<Duration>) -> bool {
    // poll takes whole milliseconds as a c_int: rounded up (no busy loop
    // of zero-length polls), capped at about 24 days (the loop polls
    // again).
    let millis = limit.map_or(-1, |left| {
        c_int::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(c_int::MAX)
    });
    let mut pollfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid, initialised pollfd; poll writes only its
    // `revents`.
    let ready = unsafe { libc::poll(&mut pollfd, 1, millis) };
    ready == 1 && pollfd.revents & libc::POLLIN != 0
}
