//! Fixture for `tests/fork.rs`: a program with static cleanups whose first
//! use of the runtime is a `fork`, under an allocator that, like jemalloc,
//! is locked across `fork` by a `pthread_atfork` handler of its own.
//!
//! Registered in `main`, after the runtime's handlers (which the statics'
//! constructor installed before `main`), the allocator's prepare handler
//! runs before the runtime's, and its parent and child handlers after: so
//! all of the runtime's fork handlers run while it is locked. jemalloc
//! would deadlock on an allocation there; this allocator counts it.
//!
//! `fork_prepare MODE`: forks; prints `parent: allocations inside fork N`
//! and `child: allocations inside fork N`. `MODE`: `keep`: the child exits
//! through `std::process::exit`, the parent returns from `main`; `adopt`:
//! the child registers a cleanup of its own, then adopts its parent's and
//! exits, the parent leaves with `_exit`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cleanup_runtime::at_exit;
use cleanup_tests::{ran, say};

/// `System`, counting what the forking thread asks of it while locked for
/// `fork`. (Other threads, such as the runtime's signal watcher starting
/// up, would just wait for the unlock: only the forking thread deadlocks.)
struct LockedAcrossFork;

static LOCKED: AtomicBool = AtomicBool::new(false);
/// `pthread_self()` of the thread that is forking.
static FORKING: AtomicUsize = AtomicUsize::new(0);
static INSIDE_FORK: AtomicUsize = AtomicUsize::new(0);

fn count_if_forking() {
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() } as usize;
    if LOCKED.load(Ordering::SeqCst) && FORKING.load(Ordering::SeqCst) == me {
        INSIDE_FORK.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: every call is passed to `System` unchanged; the counting touches
// only atomics.
unsafe impl GlobalAlloc for LockedAcrossFork {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_if_forking();
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count_if_forking();
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: LockedAcrossFork = LockedAcrossFork;

extern "C" fn lock_for_fork() {
    // SAFETY: pthread_self has no preconditions.
    FORKING.store(unsafe { libc::pthread_self() } as usize, Ordering::SeqCst);
    LOCKED.store(true, Ordering::SeqCst);
}

extern "C" fn unlock_after_fork() {
    LOCKED.store(false, Ordering::SeqCst);
}

#[at_exit]
fn first_static() {
    ran("first static");
}

#[at_exit]
fn second_static() {
    ran("second static");
}

fn main() {
    let adopt = match std::env::args().nth(1).as_deref() {
        Some("keep") => false,
        Some("adopt") => true,
        other => panic!("unknown mode {other:?}"),
    };
    // SAFETY: registers two `extern "C"` functions that only store to
    // atomics.
    let registered = unsafe {
        libc::pthread_atfork(
            Some(lock_for_fork),
            Some(unlock_after_fork),
            Some(unlock_after_fork),
        )
    };
    assert_eq!(registered, 0, "pthread_atfork");
    // SAFETY: the fixture's only other thread is the runtime's signal
    // watcher; the child prints, registers and exits, as a child of a
    // multithreaded parent may with glibc.
    let child = unsafe { libc::fork() };
    let inside = INSIDE_FORK.load(Ordering::SeqCst);
    if child == 0 {
        say(format_args!("child: allocations inside fork {inside}"));
        if adopt {
            cleanup_runtime::register(|| ran("child's own"));
            cleanup_runtime::adopt_after_fork();
        }
        std::process::exit(0);
    }
    assert!(child > 0, "fork failed");
    let mut status = 0;
    // SAFETY: waits for the child just forked; `status` is a valid pointer.
    unsafe { libc::waitpid(child, &mut status, 0) };
    say(format_args!("parent: allocations inside fork {inside}"));
    if adopt {
        // SAFETY: ends the parent at once, running nothing: the child took
        // the cleanups over.
        unsafe { libc::_exit(0) };
    }
}
