//! Fixture for `tests/lifecycle.rs`: the signal path with static cleanups,
//! the off switches, handlers the program installs after the runtime's,
//! PID 1, deadlines, per-cleanup timeouts and `fork`.
//!
//! `lifecycle SCENARIO`: registers a run-time cleanup, prints
//! `pid <pid as the test sees it>` and `ready`, then does what the scenario
//! says. Every line is flushed as it is written.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cleanup_runtime::{at_exit, cleanup};
use cleanup_tests::{ran, say};

/// A static cleanup: the signal path must run statics too.
#[at_exit]
fn static_cleanup() {
    ran("static");
}

/// A static cleanup with its own timeout; slow only when asked to be.
#[cleanup(name = "maybe-slow", timeout = "200ms")]
fn maybe_slow() {
    if std::env::var_os("FIXTURE_STATIC_SLOW").is_some() {
        say("maybe-slow starts sleeping");
        std::thread::sleep(Duration::from_secs(600));
        say("maybe-slow finished");
    }
}

/// Our pid as the test sees it: inside a new pid namespace `getpid` says 1,
/// but the test's `/proc` lists the outer pid first in `NSpid`.
fn outer_pid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let pids = status.lines().find_map(|l| l.strip_prefix("NSpid:"))?;
            pids.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or_else(std::process::id)
}

fn ready() {
    say(format!("pid {}", outer_pid()));
    say("ready");
}

/// Waits to be ended by a signal.
fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    cleanup_runtime::register(|| ran("runtime"));
    match scenario.as_str() {
        "wait" => {
            ready();
            park_forever();
        }
        // Armed, then nothing left to clean up.
        "cleared" => {
            cleanup_runtime::clear();
            ready();
            park_forever();
        }
        "leave-alone" => {
            cleanup_runtime::leave_signals_alone();
            ready();
            park_forever();
        }
        // The program takes SIGINT after the runtime armed its handler.
        "own-signal-hook" => {
            let seen = Arc::new(AtomicBool::new(false));
            signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&seen))
                .expect("signal-hook registration");
            ready();
            wait_for(&seen);
            say("program saw SIGINT");
        }
        "own-sigaction" => {
            install_plain_sigint_handler();
            ready();
            wait_for(&PLAIN_HANDLER_SAW);
            say("program saw SIGINT");
        }
        // Main returns at once and a cleanup hangs: the deadline ends it.
        "hang-at-exit" => {
            cleanup_runtime::register(|| {
                say("hung starts");
                std::thread::sleep(Duration::from_secs(600));
            });
        }
        // A run-time timeout on one cleanup; the rest go on.
        "runtime-timeout" => {
            let slow = cleanup_runtime::register(|| {
                say("runtime-slow starts");
                std::thread::sleep(Duration::from_secs(600));
            });
            slow.set_timeout(Duration::from_millis(200));
            cleanup_runtime::register(|| ran("after-slow"));
        }
        "fork" | "fork-adopt" => fork(scenario == "fork-adopt"),
        "fork-signal" => fork_then_signal_the_child(),
        // A daemon: the child adopts the cleanups and waits for SIGTERM;
        // the parent leaves at once without running them.
        "daemon" => {
            // SAFETY: as in `fork`.
            if unsafe { libc::fork() } == 0 {
                cleanup_runtime::adopt_after_fork();
                ready();
                park_forever();
            }
            // SAFETY: ends the parent at once, running nothing.
            unsafe { libc::_exit(0) };
        }
        // A logger whose flush says so; cleanups log through it.
        "log" => {
            log::set_logger(&SayingLogger).expect("the first logger");
            log::set_max_level(log::LevelFilter::Info);
            cleanup_runtime::register(|| log::info!("logged by a cleanup"));
            ready();
            if std::env::args().nth(2).as_deref() == Some("park") {
                park_forever();
            }
        }
        "exit" => {}
        // A failing closure registered from inside a closure: its report
        // name is `closure in lifecycle::main`, as the outer one's.
        "nested-closure" => {
            let register_inner = || cleanup_runtime::register(|| Err::<(), _>("inner failed"));
            register_inner();
        }
        other => panic!("unknown scenario {other:?}"),
    }
}

/// The child exits through `std::process::exit`; only its own cleanup may
/// run there unless it adopts its parent's.
fn fork(adopt: bool) {
    cleanup_runtime::register(|| say(format!("ran parent's, in pid {}", std::process::id())));
    // SAFETY: the fixture has no other thread of its own; the child only
    // registers a cleanup, prints and exits.
    let child = unsafe { libc::fork() };
    if child == 0 {
        if adopt {
            cleanup_runtime::adopt_after_fork();
        }
        cleanup_runtime::register(|| {
            say(format!("ran child's own, in pid {}", std::process::id()))
        });
        say("child exits");
        std::process::exit(0);
    }
    let mut status = 0;
    // SAFETY: waits for the child just forked; `status` is a valid pointer.
    unsafe { libc::waitpid(child, &mut status, 0) };
    say(format!("parent {} saw its child end", std::process::id()));
    if adopt {
        // The child took the cleanups over: the parent leaves without
        // running them, as a daemonizing parent does.
        // SAFETY: ends the process at once.
        unsafe { libc::_exit(0) };
    }
}

/// The child registers a cleanup of its own and sends itself SIGTERM: the
/// signal handlers must be armed in the child too (its parent's watcher
/// thread did not come along), so the child's cleanup runs before the
/// signal ends it.
fn fork_then_signal_the_child() {
    // SAFETY: the fixture has no other thread of its own; the child only
    // registers a cleanup, prints and signals itself.
    let child = unsafe { libc::fork() };
    if child == 0 {
        cleanup_runtime::register(|| say("ran child's own"));
        say("child signals itself");
        // SAFETY: sends SIGTERM to this process.
        unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
        park_forever();
    }
    let mut status = 0;
    // SAFETY: waits for the child just forked; `status` is a valid pointer.
    unsafe { libc::waitpid(child, &mut status, 0) };
    let signal = if libc::WIFSIGNALED(status) {
        libc::WTERMSIG(status)
    } else {
        0
    };
    say(format!(
        "parent {} saw its child end by signal {signal}",
        std::process::id()
    ));
}

/// Polls the flag a signal handler sets; the program's own loop.
fn wait_for(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

static PLAIN_HANDLER_SAW: AtomicBool = AtomicBool::new(false);

extern "C" fn plain_handler(_: libc::c_int) {
    PLAIN_HANDLER_SAW.store(true, Ordering::SeqCst);
}

fn install_plain_sigint_handler() {
    // SAFETY: installs a handler that only stores to an atomic.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = plain_handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// A logger that prints what it is given and says when it is flushed.
struct SayingLogger;

impl log::Log for SayingLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        say(format_args!("log: {}", record.args()));
    }

    fn flush(&self) {
        say("log flushed");
    }
}
