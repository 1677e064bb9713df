//! The thread that waits for the first signal, made as light as a thread
//! can be, because it exists from before `main` in every program that
//! declares a cleanup.
//!
//! A thread with its own mapped stack and its own malloc arena shows up as
//! four more lines in `/proc/self/maps`, and before `main` std has glibc
//! read that file up to the main thread's stack line (`pthread_getattr_np`,
//! to place the stack-overflow guard), `sscanf` on every line: about
//! 11,000 instructions of a one-`#[at_exit]` program's start-up were
//! those lines, and the `mmap`/`mprotect` calls cost wall time besides.
//! This thread has neither. Its stack is one allocation from the heap the
//! program already has (below glibc's `mmap` threshold, so it extends the
//! `[heap]` mapping rather than adding one; a static buffer in `.bss` was
//! tried first and still cost a line); its pages are touched only at the
//! top. And it never allocates (so glibc never gives it an arena): it
//! blocks in `read` and, at the first byte, starts the real signal thread
//! (a std thread with a normal stack and guard page, named
//! `cleanup-signal`), which runs the cleanups and reaps this one. The real
//! thread's set-up (stack, arena) is paid after the signal, once, by a
//! process that is ending anyway.
//!
//! Linux only (where the cost was measured, and where the `libc` crate
//! declares `pthread_attr_setstack`); elsewhere the waiting thread gets
//! a stack of the usual size, and hands over all the same.
//!
//! One waiting thread at a time uses the stack: it is started only by the
//! first arming in a process (a forked child arms afresh, reusing the
//! stack: the parent's waiting thread does not exist there), and it ends
//! by being joined (by the real thread, or by a pause), so the stack is
//! free again before any later start could reuse it. It is never freed.

use std::ffi::c_void;
use std::io;

cfg_linux_native! {
    use std::alloc::Layout;
    use std::sync::atomic::{AtomicPtr, Ordering};

    /// Enough for the start routine's few frames plus what glibc puts at the
    /// top of a thread's stack (its descriptor and the static TLS blocks of
    /// every loaded object); a program whose TLS does not fit gets `EINVAL`
    /// and a thread with a mapped stack instead (the caller's fallback).
    /// Under glibc's default `mmap` threshold (128 KiB), see the module docs.
    const STACK_SIZE: usize = 120 * 1024;

    /// The waiting thread's stack, allocated by the first start.
    static STACK: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());

    fn stack() -> io::Result<*mut u8> {
        let stack = STACK.load(Ordering::Acquire);
        if !stack.is_null() {
            return Ok(stack);
        }
        let layout = Layout::from_size_align(STACK_SIZE, 64).expect("a valid layout");
        // SAFETY: the layout has a non-zero size.
        let stack = unsafe { std::alloc::alloc(layout) };
        if stack.is_null() {
            return Err(io::ErrorKind::OutOfMemory.into());
        }
        STACK.store(stack, Ordering::Release);
        Ok(stack)
    }

    /// Starts `routine` on a thread whose stack is [`STACK`], joinable; the
    /// caller holds the signal thread's transition lock.
    pub(super) fn spawn_on_small_stack(
        routine: extern "C" fn(*mut c_void) -> *mut c_void,
    ) -> io::Result<libc::pthread_t> {
        let stack = stack()?;
        // SAFETY: `attr` is initialised before use and destroyed after;
        // `stack` is a live allocation of `STACK_SIZE` bytes, never freed,
        // that no other thread uses as a stack (module docs); `thread` is a
        // valid out-parameter; `routine` ignores its argument.
        unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            let result = libc::pthread_attr_init(&mut attr);
            if result != 0 {
                return Err(io::Error::from_raw_os_error(result));
            }
            let mut result = libc::pthread_attr_setstack(&mut attr, stack.cast(), STACK_SIZE);
            let mut thread: libc::pthread_t = std::mem::zeroed();
            if result == 0 {
                result = libc::pthread_create(&mut thread, &attr, routine, std::ptr::null_mut());
            }
            libc::pthread_attr_destroy(&mut attr);
            if result != 0 {
                return Err(io::Error::from_raw_os_error(result));
            }
            Ok(thread)
        }
    }
}

cfg_not_linux_native! {
    /// Where the `libc` crate does not declare `pthread_attr_setstack`
    /// (and std reads no `/proc/self/maps` at start-up): the caller's
    /// fallback, a thread with a mapped stack.
    pub(super) fn spawn_on_small_stack(
        _: extern "C" fn(*mut c_void) -> *mut c_void,
    ) -> io::Result<libc::pthread_t> {
        Err(io::ErrorKind::Unsupported.into())
    }
}
