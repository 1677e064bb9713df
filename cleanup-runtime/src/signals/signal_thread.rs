//! The signal thread: a normal thread, where locks, allocation and I/O are
//! allowed, that reads the wake pipe and acts on each signal our handler
//! marked, by calling the action `process/` gave when it armed the floor
//! (`process::on_signal`: run the cleanups and end the process by the
//! signal, or wake a listening program and wait out its grace period). It
//! lends that action a way to wait for the next signal (`wait_for_wake`),
//! so a second signal ends a grace period at once.
//!
//! Until the first signal the pipe is read by the light waiting thread
//! (`waiting_thread`), which then starts the real one, `cleanup-signal`,
//! and is reaped by it; to the rest of this file the two are one thread
//! in the states below.
//!
//! # Paused
//!
//! [`pause`] stops the thread and [`resume`] starts it again, on the
//! thread that ends the last pause (`crate::signals::pause`): a thread
//! inherits the per-thread rules of the thread that creates it (seccomp
//! filters, Landlock, capabilities, `no_new_privs`, affinity), so the new
//! one runs cleanups inside the rules the program set up meanwhile, and
//! while it is stopped the process may be single-threaded again
//! (`unshare(CLONE_NEWUSER)`). A signal that arrives meanwhile stays marked
//! (our handler still catches it), and the new thread acts on it first.
//!
//! Its life is one atomic ([`STATE`]): absent, idle (blocked reading the
//! pipe), acting on a signal, or stopping. A pause stops only an idle
//! thread: one already acting is ending the process, and finishes.

use std::ffi::{c_int, c_void};
use std::io;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use super::{handler, waiting_thread};
use crate::base::{diagnostics, spawn, system_calls};

const ABSENT: u8 = 0;
const IDLE: u8 = 1;
const ACTING: u8 = 2;
const STOPPING: u8 = 3;

/// Where the thread is in its life; see the module docs.
static STATE: AtomicU8 = AtomicU8::new(ABSENT);
/// The running thread (`pthread_t`), to join when a pause stops it.
static THREAD: AtomicUsize = AtomicUsize::new(0);
/// Its kernel thread id, where the kernel has one to ask about (Linux).
static KERNEL_ID: AtomicI32 = AtomicI32::new(0);
/// The wake pipe's read end (-1: not armed in this process).
static READ_FD: AtomicI32 = AtomicI32::new(-1);
/// How many pause guards live.
static PAUSES: AtomicUsize = AtomicUsize::new(0);
/// Held while the thread is started, paused or resumed: a spin lock rather
/// than a `Mutex`, so a forked child can simply reset it.
static TRANSITION: AtomicBool = AtomicBool::new(false);

/// Starts the signal thread, reading one signal number per byte from
/// `read_fd` — unless a pause is in force: then the thread is started when
/// it ends. A byte only wakes it: it acts on a signal only if our handler
/// marked it received (`handler::take_received`), so bytes written into
/// the pipe by anyone else are read and dropped.
///
/// What starts here is the light waiting thread (`waiting_thread`), which
/// hands over to the real one at the first byte. Raw `pthread_create`
/// calls, not `std::thread::spawn`: this may run in a constructor before
/// `main`, where std's thread machinery is not set up.
pub(super) fn start(read_fd: c_int) -> io::Result<()> {
    READ_FD.store(read_fd, Ordering::SeqCst);
    let _transition = Transition::begin();
    if PAUSES.load(Ordering::SeqCst) > 0 {
        return Ok(());
    }
    STATE.store(IDLE, Ordering::SeqCst);
    let thread = waiting_thread::spawn_on_small_stack(wait_for_first)
        // Off Linux, or a program whose thread-local storage does not fit
        // the small stack: a waiting thread with a stack of the usual
        // size (it still hands over, so the cleanups run on
        // `cleanup-signal` everywhere).
        .or_else(|_| spawn_raw(wait_for_first));
    match thread {
        Ok(thread) => {
            store_thread(thread);
            Ok(())
        }
        Err(error) => {
            STATE.store(ABSENT, Ordering::SeqCst);
            Err(error)
        }
    }
}

/// Creates a joinable thread running `routine`, with the default stack.
fn spawn_raw(routine: extern "C" fn(*mut c_void) -> *mut c_void) -> io::Result<libc::pthread_t> {
    // SAFETY: `thread` is a valid out-parameter; `routine` matches the
    // start routine's signature and ignores its argument.
    unsafe {
        let mut thread: libc::pthread_t = std::mem::zeroed();
        match libc::pthread_create(&mut thread, std::ptr::null(), routine, std::ptr::null_mut()) {
            0 => Ok(thread),
            error => Err(io::Error::from_raw_os_error(error)),
        }
    }
}

/// Starts the real signal thread, a std thread named `cleanup-signal` (the
/// name panic messages and debuggers show): it reaps `waiting` first, if
/// it takes over from the waiting thread, then acts on `first`, the byte
/// that woke it, or on a signal marked while no thread was there.
fn spawn_serving(
    read_fd: c_int,
    waiting: Option<libc::pthread_t>,
    first: Option<u8>,
) -> io::Result<libc::pthread_t> {
    #[allow(
        clippy::unnecessary_cast,
        reason = "pthread_t is an integer on Linux, a pointer on Apple and NetBSD"
    )]
    let waiting = waiting.map(|thread| thread as usize);
    spawn::named(
        "cleanup-signal",
        Box::new(move || serve(read_fd, waiting, first)),
    )
    // Joined by a pause, as the waiting thread was.
    .map(|handle| libc_thread(JoinHandleExt::into_pthread_t(handle)))
}

/// std's `RawPthread` as the `libc` crate's `pthread_t`: the same value,
/// but on musl the two declare different types (an integer, a pointer).
#[allow(clippy::unnecessary_cast, reason = "the same type everywhere but musl")]
fn libc_thread(thread: std::os::unix::thread::RawPthread) -> libc::pthread_t {
    thread as libc::pthread_t
}

#[allow(
    clippy::unnecessary_cast,
    reason = "pthread_t is an integer on Linux, a pointer on Apple and NetBSD"
)]
fn store_thread(thread: libc::pthread_t) {
    THREAD.store(thread as usize, Ordering::SeqCst);
}

/// Stops the thread if it is idle, and waits until it is gone; counts the
/// pause either way. See `crate::signals::pause`.
pub(crate) fn pause() {
    let _transition = Transition::begin();
    if PAUSES.fetch_add(1, Ordering::SeqCst) > 0 {
        return;
    }
    if STATE
        .compare_exchange(IDLE, STOPPING, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return; // none, or one acting on a signal: the process is ending
    }
    handler::nudge();
    #[allow(
        clippy::unnecessary_cast,
        reason = "pthread_t is an integer on Linux, a pointer on Apple and NetBSD"
    )]
    let thread = THREAD.swap(0, Ordering::SeqCst) as libc::pthread_t;
    // SAFETY: `thread` is the joinable thread `spawn` created, joined only
    // here (under the transition lock, once per spawn); it ends once it
    // reads the nudge and finds its state stopping.
    unsafe { libc::pthread_join(thread, std::ptr::null_mut()) };
    wait_until_gone(KERNEL_ID.swap(0, Ordering::SeqCst));
    STATE.store(ABSENT, Ordering::SeqCst);
}

cfg_linux_native! {
    /// Waits until the kernel has let go of thread `tid`. `pthread_join`
    /// returns when the thread has stopped running, but the kernel still
    /// counts it in the process for a moment after, and
    /// `unshare(CLONE_NEWUSER)` right after a pause then failed with
    /// EINVAL now and then. `tgkill` with signal 0 answers ESRCH once it
    /// is gone. Bounded, in case the answer never comes.
    fn wait_until_gone(tid: libc::pid_t) {
        if tid == 0 {
            return;
        }
        for _ in 0..1_000_000 {
            // SAFETY: signal 0 only checks that the thread exists; no
            // signal is sent.
            let exists =
                unsafe { libc::syscall(libc::SYS_tgkill, system_calls::process_id(), tid, 0) } == 0;
            if !exists {
                return;
            }
            system_calls::yield_now();
        }
    }

    /// Notes the calling thread's kernel id, for [`wait_until_gone`].
    fn note_kernel_id() {
        // SAFETY: gettid has no preconditions.
        KERNEL_ID.store(unsafe { libc::gettid() }, Ordering::SeqCst);
    }
}

cfg_not_linux_native! {
    /// Nothing to wait for here: `pthread_join` is the end of it.
    fn wait_until_gone(_tid: i32) {}

    /// Nothing to note here.
    fn note_kernel_id() {}
}

/// Ends one pause; the last one starts the signal thread again, on this
/// thread, if signals are armed in this process: the real one at once (it
/// first acts on a signal that arrived during the pause).
pub(crate) fn resume() {
    let _transition = Transition::begin();
    if PAUSES.fetch_sub(1, Ordering::SeqCst) != 1 {
        return;
    }
    let read_fd = READ_FD.load(Ordering::SeqCst);
    if read_fd < 0 || STATE.load(Ordering::SeqCst) != ABSENT {
        return;
    }
    STATE.store(IDLE, Ordering::SeqCst);
    match spawn_serving(read_fd, None, None) {
        Ok(thread) => store_thread(thread),
        Err(error) => {
            STATE.store(ABSENT, Ordering::SeqCst);
            diagnostics::warn(format_args!(
                "signals are caught but nothing acts on them: could not start the signal thread again: {error}"
            ));
        }
    }
}

/// In a forked child: the thread, and any pause, stayed in the parent.
pub(crate) fn forget_after_fork() {
    STATE.store(ABSENT, Ordering::Relaxed);
    THREAD.store(0, Ordering::Relaxed);
    KERNEL_ID.store(0, Ordering::Relaxed);
    READ_FD.store(-1, Ordering::Relaxed);
    PAUSES.store(0, Ordering::Relaxed);
    TRANSITION.store(false, Ordering::Relaxed);
}

/// The transition lock, held until dropped.
struct Transition;

impl Transition {
    fn begin() -> Transition {
        while TRANSITION
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            system_calls::yield_now();
        }
        Transition
    }
}

impl Drop for Transition {
    fn drop(&mut self) {
        TRANSITION.store(false, Ordering::Release);
    }
}

/// The waiting thread's start routine: blocks until the first byte, then
/// hands over. No allocation and nothing of std that allocates (see
/// `waiting_thread`): a read loop on atomics and one syscall.
extern "C" fn wait_for_first(_: *mut c_void) -> *mut c_void {
    let read_fd = READ_FD.load(Ordering::SeqCst);
    loop {
        let mut byte = 0u8;
        // SAFETY: reads one byte into a live local from a pipe we own.
        let read = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
        match read {
            1 => {
                hand_over(read_fd, byte);
                return std::ptr::null_mut();
            }
            -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
            // The write end is never closed; anything else is unusable.
            _ => return std::ptr::null_mut(),
        }
    }
}

/// From the waiting thread, woken by `byte`: starts the real thread to act
/// on it — unless a pause is stopping this one (then it just ends, and the
/// pause joins it). Where no thread can be started, acts on it here: the
/// static stack has no guard page, but losing every cleanup of a process
/// the system cannot give a thread would be worse.
fn hand_over(read_fd: c_int, byte: u8) {
    if STATE
        .compare_exchange(IDLE, ACTING, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return;
    }
    // SAFETY: pthread_self has no preconditions.
    let this_thread = unsafe { libc::pthread_self() };
    match spawn_serving(read_fd, Some(this_thread), Some(byte)) {
        // Stored before this thread ends, so before the new one, which
        // joins this one first, can go idle and be paused.
        Ok(thread) => store_thread(thread),
        Err(error) => {
            diagnostics::warn(format_args!(
                "could not start the signal thread ({error}); acting on the signal on the waiting thread"
            ));
            serve(read_fd, None, Some(byte));
        }
    }
}

/// The real signal thread's life: reaps the waiting thread it takes over
/// from, acts on the byte that woke that one (its state is already
/// acting) or on a signal marked while no thread was there, then on each
/// byte read until a pause stops it.
fn serve(read_fd: c_int, waiting: Option<usize>, first: Option<u8>) {
    if let Some(waiting) = waiting {
        #[allow(
            clippy::unnecessary_cast,
            reason = "pthread_t is an integer on Linux, a pointer on Apple and NetBSD"
        )]
        // SAFETY: the waiting thread is joinable, has handed over (it ends
        // right after), and is joined only here: once it has, no pause can
        // join it (`hand_over` stored this thread in its place).
        unsafe {
            libc::pthread_join(waiting as libc::pthread_t, std::ptr::null_mut())
        };
    }
    note_kernel_id();
    // Nothing may unwind out of a thread start routine.
    let _ = std::panic::catch_unwind(|| {
        let go_on = match first {
            Some(byte) => act_while_acting(read_fd, byte),
            None => act_on_marked(read_fd, 0),
        };
        if !go_on {
            return;
        }
        loop {
            let mut byte = 0u8;
            // SAFETY: reads one byte into a live local from a pipe we own.
            let read = unsafe { libc::read(read_fd, (&mut byte as *mut u8).cast(), 1) };
            match read {
                1 => {
                    if !act_on_marked(read_fd, byte) {
                        return;
                    }
                }
                -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                // The write end is never closed; anything else is unusable.
                _ => return,
            }
        }
    });
}

/// Acts on the signal `byte` stands for, if our handler marked one; `false`
/// if a pause asks the thread to end instead.
fn act_on_marked(read_fd: c_int, byte: u8) -> bool {
    if STATE
        .compare_exchange(IDLE, ACTING, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        return false;
    }
    act_while_acting(read_fd, byte)
}

/// [`act_on_marked`] once the state says acting.
fn act_while_acting(read_fd: c_int, byte: u8) -> bool {
    if let Some(signal) = handler::take_received(byte) {
        super::act(signal, &mut |limit| wait_for_wake(read_fd, limit));
    }
    STATE.store(IDLE, Ordering::SeqCst);
    true
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
