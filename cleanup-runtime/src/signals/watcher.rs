//! The thread that runs the cleanups after a signal, on a normal thread
//! where locks, allocation and I/O are allowed, and then ends the process
//! by that signal. For a program that listens for shutdown it wakes the
//! waiters instead and waits out the grace period first
//! (`shutdown::grace_period`).

use std::ffi::{c_int, c_void};
use std::io;

use super::{handler, shutdown};
use crate::base::listening;

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
                        on_signal(signal, read_fd);
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

/// Runs the cleanups for `signal` (or waits for the run that started
/// another way since it arrived), then ends the process by it.
///
/// A listening program's shutdown request comes first to the grace period,
/// unless a second signal came already (its mark may have merged with the
/// request's); if the program begins ending on its own within the grace,
/// its own end stands and this returns.
fn on_signal(signal: c_int, read_fd: c_int) {
    let ending = match listening::signal_after_request() {
        None if listening::request_signal() == Some(signal) => {
            match shutdown::grace_period::wait_out(signal, read_fd) {
                Some(second) => second,
                None => return,
            }
        }
        later => later.unwrap_or(signal),
    };
    handler::die_now((crate::UPWARD.run_for_signal)(ending));
}
