//! The signal calls the runtime makes after its handlers are installed:
//! an empty signal mask, unblocking one signal, raising one. On Linux
//! they are raw system calls through `syscall`, which std itself already
//! imports; elsewhere the libc functions.
//!
//! Why not the libc functions everywhere: Rust links binaries with
//! immediate binding, so the dynamic linker resolves every imported
//! symbol when the process starts, whether or not it is ever called —
//! about 540 instructions each (callgrind, glibc 2.41), paid by every run
//! of every program that declares a cleanup. These four (`sigemptyset`,
//! `sigaddset`, `pthread_sigmask`, `raise`) are called only while the
//! process ends by a signal or a panic aborts.
//!
//! Async-signal-safe: the handler's path reaches [`raise`] through
//! `signals::die_now`.

use std::ffi::c_int;

/// A `sigset_t` with no signal in it.
pub(crate) fn empty_set() -> libc::sigset_t {
    // SAFETY: all-zero bytes are a valid value of the plain C struct, and
    // (on Linux, where the kernel reads it as a bit mask) the empty set.
    #[allow(unused_mut, reason = "filled in by sigemptyset off Linux")]
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    empty_set_portably(&mut set);
    set
}

cfg_linux_native! {
    /// The kernel's signal set: one bit per signal, in words of `c_ulong`
    /// (`_NSIG` is 128 on MIPS, 64 elsewhere).
    const KERNEL_SET_BYTES: usize = if cfg!(any(target_arch = "mips", target_arch = "mips64",
        target_arch = "mips32r6", target_arch = "mips64r6")) { 16 } else { 8 };
    const WORD_BITS: usize = libc::c_ulong::BITS as usize;

    fn empty_set_portably(_: &mut libc::sigset_t) {}

    /// Unblocks `signal` on the calling thread.
    pub(crate) fn unblock(signal: c_int) {
        let mut set = [0 as libc::c_ulong; 128 / WORD_BITS];
        let bit = signal as usize - 1;
        set[bit / WORD_BITS] |= 1 << (bit % WORD_BITS);
        // SAFETY: rt_sigprocmask reads `KERNEL_SET_BYTES` bytes of the live
        // local `set` (16 bytes, enough on every architecture) and, with a
        // null old set, writes nothing; it only changes this thread's
        // mask.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigprocmask,
                libc::SIG_UNBLOCK,
                set.as_ptr(),
                std::ptr::null_mut::<libc::c_ulong>(),
                KERNEL_SET_BYTES,
            );
        }
    }

    /// Sends `signal` to the calling thread, as `raise` does.
    pub(crate) fn raise(signal: c_int) {
        // SAFETY: getpid and gettid have no preconditions; tgkill to the
        // calling thread of this process only sends the signal.
        unsafe {
            libc::syscall(
                libc::SYS_tgkill,
                super::system_calls::process_id(),
                libc::gettid(),
                signal,
            );
        }
    }
}

cfg_not_linux_native! {
    fn empty_set_portably(set: &mut libc::sigset_t) {
        // SAFETY: `set` is a live, writable sigset_t.
        unsafe { libc::sigemptyset(set) };
    }

    /// Unblocks `signal` on the calling thread.
    pub(crate) fn unblock(signal: c_int) {
        let mut set = empty_set();
        // SAFETY: `set` is a live, initialised sigset_t; pthread_sigmask
        // with a null old set only changes this thread's mask.
        unsafe {
            libc::sigaddset(&mut set, signal);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }

    /// Sends `signal` to the calling thread.
    pub(crate) fn raise(signal: c_int) {
        // SAFETY: raise has no memory-safety preconditions.
        unsafe { libc::raise(signal) };
    }
}
