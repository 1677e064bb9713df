//! The hardening fixture: registrations that race the run at exit, and a
//! cleanup that forks. Runs the one scenario named by `argv[1]`.
//!
//! It declares two static cleanups, which every scenario's run ends with
//! (`ran static-second`, then `ran static-first`). Cleanups say `ran NAME`
//! when they run (see `cleanup_tests::say`).
//!
//! | scenario | what it does |
//! |---|---|
//! | `producers` | registers pre-1, pre-2; four threads register in a loop that never stops (`register`, `register_named`, `drop_at_exit`, `ResourceGuard`), a fifth unregisters and sets timeouts in a loop; `std::process::exit(5)` |
//! | `fork-in-cleanup` | registers last, forker, first; forker forks: the child points `CLEANUP_REPORT` at `$CHILD_REPORT`, registers child-own and calls `libc::exit(7)`; the parent waits for it; `main` returns |
//! | `timed-registers` | a cleanup with a timeout registers inner; `main` returns |
//! | `join-registering-thread` | a cleanup spawns a thread that registers joined-thread's, and joins it; `main` returns |

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cleanup_runtime::{ResourceGuard, at_exit};
use cleanup_tests::{ran, register_ran, say};

#[at_exit]
fn static_first() {
    ran("static-first");
}

#[at_exit]
fn static_second() {
    ran("static-second");
}

fn main() {
    let scenario = std::env::args().nth(1).expect("usage: hardening SCENARIO");
    match scenario.as_str() {
        "producers" => producers(),
        "fork-in-cleanup" => fork_in_cleanup(),
        "timed-registers" => timed_registers(),
        "join-registering-thread" => join_registering_thread(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

/// Registrations each producer makes before `main` exits: enough that
/// every producer is surely in its loop when the run starts.
const WARM_UP: u64 = 1_000;

fn producers() {
    register_ran("pre-1");
    register_ran("pre-2");
    let counts: Arc<[AtomicU64; 4]> = Arc::new(Default::default());
    let producers: [fn(u64); 4] = [
        |_| {
            cleanup_runtime::register(|| {});
        },
        |i| {
            cleanup_runtime::register_named(&format!("named-{i}"), || {});
        },
        |i| {
            cleanup_runtime::drop_at_exit(vec![i; 4]);
        },
        |i| {
            // Released by the run at exit, or here by the drop when the
            // guard is dropped first: one registration and one removal.
            let guard = ResourceGuard::new(i, |_| {});
            if i % 2 == 0 {
                drop(guard);
            } else {
                std::mem::forget(guard);
            }
        },
    ];
    for (index, produce) in producers.into_iter().enumerate() {
        let counts = Arc::clone(&counts);
        std::thread::spawn(move || {
            for i in 0.. {
                produce(i);
                counts[index].fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    // Takes back and retimes, never adds: such calls from another thread
    // must not break the run either.
    let stale = cleanup_runtime::register(|| {});
    let stale_sequence = stale.sequence();
    assert!(stale.unregister());
    std::thread::spawn(move || {
        let retimed = cleanup_runtime::register(|| {});
        loop {
            cleanup_runtime::unregister("no-such-cleanup");
            retimed.set_timeout(Duration::from_secs(60));
            std::hint::black_box(stale_sequence);
        }
    });
    while counts
        .iter()
        .any(|count| count.load(Ordering::Relaxed) < WARM_UP)
    {
        std::thread::yield_now();
    }
    say("producers running");
    std::process::exit(5);
}

fn fork_in_cleanup() {
    register_ran("last");
    cleanup_runtime::register_named("forker", || {
        ran("forker");
        // SAFETY: the child only sets a variable, registers a cleanup,
        // prints and exits; the parent waits for it.
        let child = unsafe { libc::fork() };
        if child == 0 {
            let report = std::env::var_os("CHILD_REPORT").expect("CHILD_REPORT");
            let mut destination = std::ffi::OsString::from("json:");
            destination.push(report);
            // SAFETY: the forked child has this one thread.
            unsafe { std::env::set_var("CLEANUP_REPORT", destination) };
            register_ran("child-own");
            say("child exits");
            // Not `std::process::exit`: std's guard, copied from the parent,
            // says this thread is already exiting, and aborts (HAZARDS.md).
            // SAFETY: ends the child through the C library's `exit`, as a
            // C program's child would; it runs the child's exit handlers.
            unsafe { libc::exit(7) };
        }
        let mut status = 0;
        // SAFETY: waits for the child just forked; `status` is a valid
        // pointer.
        unsafe { libc::waitpid(child, &mut status, 0) };
        match libc::WIFEXITED(status) {
            true => say(format!("child exited {}", libc::WEXITSTATUS(status))),
            false => say(format!("child ended by signal {}", libc::WTERMSIG(status))),
        }
    });
    register_ran("first");
}

fn timed_registers() {
    let outer = cleanup_runtime::register(|| {
        ran("outer");
        register_ran("inner");
    });
    outer.set_timeout(Duration::from_millis(500));
}

/// The thread is parked once its cleanup is added, so the join never
/// returns: only the deadline ends the run.
fn join_registering_thread() {
    cleanup_runtime::register(|| {
        ran("joiner");
        let thread = std::thread::spawn(|| {
            cleanup_runtime::register_named("joined-thread's", || ran("joined-thread's"));
            say("the thread's register returned");
        });
        let _ = thread.join();
        say("joined");
    });
}
