//! The shutdown fixture (thread-based programs): runs the one scenario
//! named by `argv[1]`. Each registers cleanups a, b (a runs last), says
//! `ready` once it listens, and reports what happens as lines (see
//! `cleanup_tests::say`).
//!
//! | scenario | what it does |
//! |---|---|
//! | `drain` | a worker holds a job in flight; `main` waits in `shutdown::wait()`, then lets the worker finish (`drained`) and returns |
//! | `never-ends` | a thread waits (`woken` when woken); `main` never ends; grace 1 h unless `CLEANUP_GRACE` says otherwise |
//! | `short-grace` | as `never-ends`, with `set_grace(100ms)` |
//! | `request` | grace 0; a thread waits; `main` calls `shutdown::request()`, joins it, says how many cleanups are still pending, returns |
//! | `blocked-cleanup` | as `drain`, but b never returns once it has run |
//! | `listen-only` | no cleanups at all; waits, says `woken`, returns |
//! | `listen-never-ends` | no cleanups at all; listens and never ends |
//! | `own-handler` | installs its own SIGTERM handler, then listens on a thread; on SIGTERM says whether shutdown was requested and returns |

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use cleanup_runtime::shutdown;
use cleanup_tests::{ran, register_ran, say};

fn main() {
    let scenario = std::env::args().nth(1).expect("usage: shutdown SCENARIO");
    match scenario.as_str() {
        "drain" => drain(false),
        "blocked-cleanup" => drain(true),
        "never-ends" => never_ends(Duration::from_secs(3600)),
        "short-grace" => never_ends(Duration::from_millis(100)),
        "request" => request(),
        "listen-only" => listen_only(),
        "listen-never-ends" => listen_never_ends(),
        "own-handler" => own_handler(),
        other => panic!("unknown scenario {other:?}"),
    }
    say("main returns");
}

/// A worker with a job in flight that it finishes only when told: the
/// drain. The cleanups must not run before it says `drained`.
fn drain(block_in_cleanup: bool) {
    register_ran("a");
    if block_in_cleanup {
        cleanup_runtime::register_named("b", || -> () {
            ran("b");
            loop {
                thread::park();
            }
        });
    } else {
        register_ran("b");
    }
    let (finish, told) = mpsc::channel::<()>();
    let worker = thread::spawn(move || {
        say("job in flight");
        let _ = told.recv();
        say("drained");
    });
    // Listening before `ready`: creating the future is enough.
    let listening = shutdown::requested();
    say("ready");
    shutdown::wait();
    drop(listening);
    say(format_args!(
        "shutdown requested: {}",
        shutdown::is_requested()
    ));
    drop(finish);
    worker.join().expect("the worker");
}

/// A listener that is woken but never ends: the grace period decides.
fn never_ends(grace: Duration) {
    register_ran("a");
    register_ran("b");
    shutdown::set_grace(grace);
    let (listening, ready) = mpsc::channel();
    thread::spawn(move || {
        let requested = shutdown::requested();
        let _ = listening.send(());
        block_on(requested);
        say("woken");
    });
    let _ = ready.recv();
    say("ready");
    loop {
        thread::park();
    }
}

/// `request()` from the program: the waiter wakes, no timer starts (with a
/// grace of 0 one would start the cleanups at once).
fn request() {
    register_ran("a");
    register_ran("b");
    shutdown::set_grace(Duration::ZERO);
    let (listening, ready) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let _ = listening.send(());
        shutdown::wait();
        say("woken");
    });
    let _ = ready.recv();
    say("ready");
    shutdown::request();
    waiter.join().expect("the waiter");
    say(format_args!(
        "pending after the request: {}",
        cleanup_runtime::report().pending().len()
    ));
}

/// A program with nothing to clean up still hears the signal once it
/// listens.
fn listen_only() {
    let requested = shutdown::requested();
    say("ready");
    block_on(requested);
    say("woken");
}

/// Listens, has no cleanup, and never ends on its own: the grace runs out.
fn listen_never_ends() -> ! {
    let _requested = shutdown::requested();
    say("ready");
    loop {
        thread::park();
    }
}

/// The write end of the pipe the program's own SIGTERM handler writes to.
static SIGTERM_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_sigterm(_: libc::c_int) {
    let byte = 1u8;
    // SAFETY: `write` is async-signal-safe; one byte from a live local.
    unsafe {
        libc::write(
            SIGTERM_PIPE.load(Ordering::Relaxed),
            (&raw const byte).cast(),
            1,
        )
    };
}

/// The program owns SIGTERM; it also listens (for SIGINT, SIGHUP and
/// `request()`). Its own handler must stay its own.
fn own_handler() {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe` writes.
    let piped = unsafe { libc::pipe(fds.as_mut_ptr()) };
    assert_eq!(piped, 0, "pipe: {}", std::io::Error::last_os_error());
    SIGTERM_PIPE.store(fds[1], Ordering::Relaxed);
    let handler = on_sigterm as extern "C" fn(libc::c_int);
    // SAFETY: the handler only calls `write`, which is async-signal-safe.
    let previous = unsafe { libc::signal(libc::SIGTERM, handler as libc::sighandler_t) };
    assert_ne!(previous, libc::SIG_ERR);
    register_ran("a");
    register_ran("b");
    let (listening, ready) = mpsc::channel();
    thread::spawn(move || {
        let requested = shutdown::requested();
        let _ = listening.send(());
        block_on(requested);
        say("woken");
    });
    let _ = ready.recv();
    say("ready");
    let mut byte = 0u8;
    // SAFETY: reads at most one byte into `byte`; retried on EINTR.
    while unsafe { libc::read(fds[0], (&raw mut byte).cast(), 1) } != 1 {}
    say("the program's own SIGTERM handler ran");
    say(format_args!(
        "shutdown requested: {}",
        shutdown::is_requested()
    ));
}

/// Drives `future` on this thread: a minimal executor (std's thread
/// parking as the waker), to show the future needs nothing of tokio.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unparker(thread::Thread);
    impl Wake for Unparker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}
