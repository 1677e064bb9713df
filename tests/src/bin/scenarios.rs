//! The main fixture: runs the one scenario named by `argv[1]`.
//!
//! It declares no static cleanups, so every entry in its reports is a
//! run-time registration and sequences start at 0. Cleanups say
//! `ran NAME` when they run (see `cleanup_tests::say`); the tests count and
//! order those lines, and read the exit status and the report.
//!
//! | scenario | what it does |
//! |---|---|
//! | `lifo` | registers a, b, c; returns from `main` |
//! | `exit-main` | registers a, b; `std::process::exit(7)` from `main` |
//! | `exit-thread` | registers a, b; another thread calls `std::process::exit(9)` |
//! | `panic-main` | registers a, b; panics in `main` |
//! | `faults [CODE]` | ok-first, err-cleanup (`Err`), panic-cleanup, ok-last; returns, or `exit(CODE)` |
//! | `replace` | named replace keeps its slot; the replaced handle is stale |
//! | `unregister` | by name, by handle, stale handle, unknown name |
//! | `run-now` | `run_now()` then registers c; prints both `run_now` reports |
//! | `cr-exit-main` | `cleanup_runtime::exit(4)` from `main` |
//! | `cr-exit-thread` | `cleanup_runtime::exit(5)` from another thread |
//! | `register-during-run` | a cleanup registers another one while cleanups run |
//! | `std-exit-in-handler` | a cleanup calls `std::process::exit(42)`; `main` exits with 6 |
//! | `cr-exit-in-handler` | a cleanup calls `cleanup_runtime::exit(42)`; `main` returns |
//! | `threads-exit` | 8 threads call `std::process::exit(20 + i)` at once |
//! | `many` | 4 threads register 10,000 cleanups each |
//! | `closed-stdout` | a cleanup prints to stdout; the rest log to `FIXTURE_LOG`; `exit(8)` |
//! | `report-pending` | prints `report()` while two cleanups are pending |
//! | `wait-for-signal` | registers a, b, prints `ready`, waits forever |
//! | `hung` | first, hung (never returns), last; `exit(3)` |
//! | `hung-cr-exit` | the same, ending with `cleanup_runtime::exit(3)` |
//! | `blocked-on-signal` | a, then blocker (never returns); prints `ready`, waits forever |
//! | `own-handler` | installs its own SIGTERM handler, then registers a, b; on SIGTERM `exit(0)` |
//! | `untouched` | calls nothing of the runtime; returns |
//! | `emptied` | registers a and unregisters it; returns |

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use cleanup_tests::{ran, register_named_then, register_ran, say};

fn main() {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().expect("usage: scenarios SCENARIO [CODE]");
    let code: Option<i32> = args.next().map(|code| code.parse().expect("CODE"));
    match scenario.as_str() {
        "lifo" => lifo(),
        "exit-main" => exit_main(),
        "exit-thread" => exit_thread(),
        "panic-main" => panic_main(),
        "faults" => faults(code),
        "replace" => replace(),
        "unregister" => unregister(),
        "run-now" => run_now(),
        "cr-exit-main" => cr_exit_main(),
        "cr-exit-thread" => cr_exit_thread(),
        "register-during-run" => register_during_run(),
        "std-exit-in-handler" => std_exit_in_handler(),
        "cr-exit-in-handler" => cr_exit_in_handler(),
        "threads-exit" => threads_exit(),
        "many" => many(),
        "closed-stdout" => closed_stdout(),
        "report-pending" => report_pending(),
        "wait-for-signal" => wait_for_signal(),
        "hung" => hung(|| std::process::exit(3)),
        "hung-cr-exit" => hung(|| cleanup_runtime::exit(3)),
        "blocked-on-signal" => blocked_on_signal(),
        "own-handler" => own_handler(),
        "untouched" => println!("ready"),
        "emptied" => emptied(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

fn lifo() {
    register_ran("a");
    register_ran("b");
    register_ran("c");
}

fn exit_main() {
    register_ran("a");
    register_ran("b");
    std::process::exit(7);
}

fn exit_thread() {
    register_ran("a");
    register_ran("b");
    let exiter = thread::spawn(|| std::process::exit(9));
    // `exit` on the other thread ends the process while this one waits.
    let _ = exiter.join();
    say("main resumed after the exiting thread");
}

fn panic_main() {
    register_ran("a");
    register_ran("b");
    panic!("boom in main");
}

fn faults(code: Option<i32>) {
    register_named_then("ok-first", || ());
    register_named_then("err-cleanup", || Err::<(), _>("disk full"));
    register_named_then("panic-cleanup", || -> () { panic!("kaboom") });
    register_named_then("ok-last", || ());
    if let Some(code) = code {
        std::process::exit(code);
    }
}

fn replace() {
    register_ran("before");
    let old = cleanup_runtime::register_named("slot", || ran("slot-old"));
    register_ran("after");
    let new = cleanup_runtime::register_named("slot", || ran("slot-new"));
    say(format_args!(
        "sequences old={} new={}",
        old.sequence(),
        new.sequence()
    ));
    say(format_args!(
        "stale handle unregister: {}",
        old.unregister()
    ));
}

fn unregister() {
    register_ran("kept-first");
    register_named_then("by-name", || ());
    let by_handle = register_ran("by-handle");
    let stale = register_named_then("stale", || ());
    register_ran("kept-last");
    let by_name = cleanup_runtime::unregister("by-name");
    say(format_args!("unregister by-name: {by_name}"));
    let again = cleanup_runtime::unregister("by-name");
    say(format_args!("unregister by-name again: {again}"));
    say(format_args!(
        "handle unregister: {}",
        by_handle.unregister()
    ));
    let stale_by_name = cleanup_runtime::unregister("stale");
    say(format_args!("unregister stale: {stale_by_name}"));
    say(format_args!(
        "stale handle unregister: {}",
        stale.unregister()
    ));
    let unknown = cleanup_runtime::unregister("never-registered");
    say(format_args!("unregister never-registered: {unknown}"));
}

fn run_now() {
    register_ran("a");
    register_ran("b");
    let first = cleanup_runtime::run_now();
    say(format_args!("run_now: {}", first.to_json()));
    let second = cleanup_runtime::run_now();
    say(format_args!("run_now again: {}", second.to_json()));
    register_ran("c");
}

fn cr_exit_main() {
    register_ran("a");
    register_ran("b");
    cleanup_runtime::exit(4);
}

fn cr_exit_thread() {
    register_ran("a");
    register_ran("b");
    let exiter = thread::spawn(|| cleanup_runtime::exit(5));
    let _ = exiter.join();
    say("main resumed after the exiting thread");
}

fn register_during_run() {
    register_ran("first");
    cleanup_runtime::register(|| {
        ran("outer");
        register_ran("inner");
    });
}

fn std_exit_in_handler() {
    register_ran("a");
    cleanup_runtime::register(|| -> () {
        ran("b");
        std::process::exit(42)
    });
    register_ran("c");
    std::process::exit(6);
}

fn cr_exit_in_handler() {
    register_ran("a");
    cleanup_runtime::register(|| -> () {
        ran("b");
        cleanup_runtime::exit(42)
    });
    register_ran("c");
}

fn threads_exit() {
    register_ran("one");
    register_ran("two");
    const THREADS: i32 = 8;
    let start = Arc::new(Barrier::new(THREADS as usize));
    let exiters: Vec<_> = (0..THREADS)
        .map(|i| {
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                std::process::exit(20 + i)
            })
        })
        .collect();
    for exiter in exiters {
        let _ = exiter.join();
    }
    say("main resumed after the exiting threads");
}

fn many() {
    static RAN: AtomicUsize = AtomicUsize::new(0);
    const THREADS: usize = 4;
    const PER_THREAD: usize = 10_000;
    // Registered first, so it runs last: by then every other one has run.
    cleanup_runtime::register(|| say(format_args!("count {}", RAN.load(Ordering::SeqCst))));
    let registrars: Vec<_> = (0..THREADS)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..PER_THREAD {
                    cleanup_runtime::register(|| {
                        RAN.fetch_add(1, Ordering::SeqCst);
                    });
                }
            })
        })
        .collect();
    for registrar in registrars {
        registrar.join().expect("registrar thread");
    }
    say(format_args!("registered {}", THREADS * PER_THREAD));
}

fn closed_stdout() {
    register_ran("quiet-first");
    register_named_then("loud", || println!("to stdout, maybe closed"));
    register_ran("quiet-last");
    std::process::exit(8);
}

fn report_pending() {
    register_ran("a");
    register_named_then("close-db", || ());
    say(format_args!(
        "report: {}",
        cleanup_runtime::report().to_json()
    ));
}

fn wait_for_signal() {
    register_ran("a");
    register_ran("b");
    say("ready");
    loop {
        thread::park();
    }
}

fn hung(exit: fn() -> !) {
    register_ran("first");
    cleanup_runtime::register(|| -> () {
        ran("hung");
        loop {
            thread::park();
        }
    });
    register_ran("last");
    exit();
}

fn blocked_on_signal() {
    register_ran("a");
    cleanup_runtime::register(|| -> () {
        ran("blocker");
        loop {
            thread::park();
        }
    });
    say("ready");
    loop {
        thread::park();
    }
}

/// The write end of the pipe that `on_sigterm` writes to.
static SIGTERM_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_sigterm(_signal: libc::c_int) {
    let fd = SIGTERM_PIPE.load(Ordering::Relaxed);
    // SAFETY: `write` is async-signal-safe; the buffer is a static byte.
    unsafe { libc::write(fd, b"t".as_ptr().cast(), 1) };
}

fn own_handler() {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    let piped = unsafe { libc::pipe(fds.as_mut_ptr()) };
    assert_eq!(piped, 0, "pipe: {}", std::io::Error::last_os_error());
    SIGTERM_PIPE.store(fds[1], Ordering::Relaxed);
    let handler = on_sigterm as extern "C" fn(libc::c_int);
    // SAFETY: the handler only calls `write`, which is async-signal-safe.
    let previous = unsafe { libc::signal(libc::SIGTERM, handler as libc::sighandler_t) };
    assert_ne!(
        previous,
        libc::SIG_ERR,
        "signal: {}",
        std::io::Error::last_os_error()
    );
    // Registered after the program's handler is in place: ours must stand
    // aside for SIGTERM.
    register_ran("a");
    register_ran("b");
    say("ready");
    let mut byte = 0u8;
    loop {
        // SAFETY: reads at most one byte into `byte`.
        let read = unsafe { libc::read(fds[0], (&raw mut byte).cast(), 1) };
        if read == 1 {
            break;
        }
        let error = std::io::Error::last_os_error();
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::Interrupted,
            "read: {error}"
        );
    }
    say("the program's own SIGTERM handler ran");
    cleanup_runtime::exit(0);
}

fn emptied() {
    let handle = cleanup_runtime::register(|| ran("a"));
    assert!(handle.unregister());
}
