//! The races at the end of a process: a signal that meets the run at exit,
//! `run_now` on another thread when `main` returns, a panic hook stuck on
//! a full stderr, and forked workers of a listening parent. Runs the one
//! scenario named by `argv[1]` and reports what happens as lines (see
//! `cleanup_tests::say`).
//!
//! | scenario | what it does |
//! |---|---|
//! | `signal-in-run HOW WHO` | cleanups `pid-file` (runs last) and `flush`; the run starts by `HOW` (`return` from `main`, `exit` for `cleanup_runtime::exit(9)`, `listening`: a program that listens, is asked by `request()` and returns); inside `flush` the first SIGTERM arrives, from `WHO`: `raise` (the cleanup raises it), or `test` (the test sends it on `flush start`, then writes a line to stdin) |
//! | `hook-blocked HOW HOOK` | stderr is a full pipe nobody reads; a worker thread panics and std's default hook blocks writing its message (through ours, or through the program's own hook when `HOOK` is `own`); then `exit` calls `std::process::exit(3)`, `signal` waits for SIGTERM |
//! | `run-now-racing` | a thread runs `run_now()`, whose cleanup `slow` waits until the run at exit has begun (`report()`'s trigger turns `exit`); `main` returns meanwhile |
//! | `forked-worker` | the parent listens, then forks; the child listens, says `worker listening PID`, waits with `shutdown::wait()` and says `worker woken` when woken, then ends with 7; the parent says how the child ended |
//! | `forked-adopter` | the parent listens and is asked (`request()`), then forks; the child adopts its cleanups and registers one that raises its first SIGTERM during its run at exit |
//! | `blocking-waker` | listens through a future whose waker blocks for good when woken; `main` never ends (grace 1 h) |

use std::io::BufRead;
use std::pin::pin;
use std::sync::Arc;
use std::sync::mpsc;
use std::task::{Context, Wake, Waker};
use std::thread;
use std::time::Duration;

use cleanup_runtime::{Trigger, shutdown};
use cleanup_tests::{ran, say};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |n: usize| args.get(n).map_or("", String::as_str);
    match arg(0) {
        "signal-in-run" => signal_in_run(arg(1), arg(2)),
        "hook-blocked" => hook_blocked(arg(1), arg(2)),
        "run-now-racing" => run_now_racing(),
        "forked-worker" => forked_worker(),
        "forked-adopter" => forked_adopter(),
        "blocking-waker" => blocking_waker(),
        other => panic!("unknown scenario {other:?}"),
    }
}

/// Blocks until the test writes a line on stdin (or closes it).
fn wait_for_stdin() {
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
}

fn raise(signal: libc::c_int) {
    // SAFETY: raise has no memory-safety preconditions; it delivers the
    // signal to this thread before it returns.
    unsafe { libc::raise(signal) };
}

fn signal_in_run(how: &str, who: &str) {
    cleanup_runtime::register_named("pid-file", || ran("pid-file"));
    let raise_it = who == "raise";
    cleanup_runtime::register_named("flush", move || {
        say("flush start");
        if raise_it {
            raise(libc::SIGTERM);
            say("signal handled");
        } else {
            wait_for_stdin();
        }
        say("flush end");
    });
    match how {
        "return" => say("main returns"),
        "exit" => {
            say("exit 9");
            cleanup_runtime::exit(9);
        }
        "listening" => {
            let _requested = shutdown::requested();
            shutdown::request();
            say("main returns");
        }
        other => panic!("unknown way {other:?}"),
    }
}

/// Makes fd 2 a pipe that nobody reads, full: the next write blocks.
fn full_stderr() {
    let mut fds = [0; 2];
    // SAFETY: pipe fills the array; dup2, fcntl and write act on fds this
    // function owns; the read end stays open (never read) so writes block
    // rather than fail.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::dup2(fds[1], 2);
        let flags = libc::fcntl(2, libc::F_GETFL);
        libc::fcntl(2, libc::F_SETFL, flags | libc::O_NONBLOCK);
        let block = [b'x'; 4096];
        while libc::write(2, block.as_ptr().cast(), block.len()) > 0 {}
        libc::fcntl(2, libc::F_SETFL, flags);
    }
}

/// Whether thread `tid` of this process is blocked in `write(2, ...)`.
fn blocked_writing_stderr(tid: libc::pid_t) -> bool {
    let path = format!("/proc/self/task/{tid}/syscall");
    let syscall = std::fs::read_to_string(path).unwrap_or_default();
    let mut fields = syscall.split_whitespace();
    let number = fields.next().and_then(|n| n.parse::<libc::c_long>().ok());
    number == Some(libc::SYS_write) && fields.next() == Some("0x2")
}

fn hook_blocked(how: &str, hook: &str) {
    cleanup_runtime::register_named("cleanup", || ran("cleanup"));
    if hook == "own" {
        // The program's own hook, installed after ours: it blocks too.
        std::panic::set_hook(Box::new(|info| eprintln!("own hook: {info}")));
    }
    full_stderr();
    let (tid_sender, tid) = mpsc::channel();
    thread::spawn(move || {
        // SAFETY: gettid has no preconditions.
        let _ = tid_sender.send(unsafe { libc::gettid() });
        panic!("the worker failed");
    });
    let tid = tid.recv().expect("the worker's tid");
    // Not a sleep as synchronisation: the state waited for is read from
    // the kernel, and the loop ends as soon as it is there.
    while !blocked_writing_stderr(tid) {
        thread::yield_now();
    }
    say("ready");
    match how {
        "exit" => std::process::exit(3),
        "signal" => loop {
            thread::park();
        },
        other => panic!("unknown way {other:?}"),
    }
}

fn run_now_racing() {
    cleanup_runtime::register_named("at-exit", || ran("at-exit"));
    let (started_sender, started) = mpsc::channel();
    thread::spawn(move || {
        cleanup_runtime::register_named("slow", move || {
            say("slow start");
            let _ = started_sender.send(());
            // The run at exit must have begun while this cleanup still
            // runs: released any earlier (a line from the test after
            // "main returns"), `run_now` could finish both entries before
            // the main thread reaches the exit path. Nothing wakes a
            // cleanup when that run begins, so it looks, a millisecond
            // apart.
            while cleanup_runtime::report().trigger() == Trigger::Manual {
                thread::sleep(Duration::from_millis(1));
            }
            say("slow end");
        });
        let report = cleanup_runtime::run_now();
        say(format_args!("run_now ran {}", report.entries().len()));
    });
    started.recv().expect("slow started");
    say("main returns");
}

/// Forks; in the child runs `child` and ends the child with its status.
/// Returns the child's pid in the parent.
fn fork_running(child: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: fork has no memory-safety preconditions; the child runs only
    // `child` and then ends with `exit`, which runs its own exit handlers.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let status = child();
        std::process::exit(status);
    }
    pid
}

/// Waits for `pid` and says how it ended.
fn say_how_child_ended(pid: libc::pid_t) {
    let mut status = 0;
    // SAFETY: waits for our own child; `status` is a valid out-parameter.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFSIGNALED(status) {
        say(format_args!("child signalled {}", libc::WTERMSIG(status)));
    } else {
        say(format_args!("child exited {}", libc::WEXITSTATUS(status)));
    }
}

fn forked_worker() {
    cleanup_runtime::register_named("parent", || ran("parent"));
    let _listening = shutdown::requested();
    let pid = fork_running(|| {
        // Listening from here on: `requested()` sets it up before it
        // returns, so the test may signal once it reads the line.
        let _listening = shutdown::requested();
        // SAFETY: getpid has no preconditions.
        say(format_args!("worker listening {}", unsafe {
            libc::getpid()
        }));
        shutdown::wait();
        say("worker woken");
        7
    });
    say_how_child_ended(pid);
}

fn forked_adopter() {
    cleanup_runtime::register_named("parent", || ran("parent"));
    let _listening = shutdown::requested();
    shutdown::request();
    let pid = fork_running(|| {
        cleanup_runtime::adopt_after_fork();
        cleanup_runtime::register_named("child", || {
            say("child start");
            raise(libc::SIGTERM);
            say("child end");
        });
        0
    });
    say_how_child_ended(pid);
}

/// A waker whose `wake` never returns: a custom executor stuck.
struct Blocking;

impl Wake for Blocking {
    fn wake(self: Arc<Self>) {
        say("waker blocks");
        loop {
            thread::park();
        }
    }
}

fn blocking_waker() {
    cleanup_runtime::register_named("cleanup", || ran("cleanup"));
    shutdown::set_grace(std::time::Duration::from_secs(3600));
    let waker = Waker::from(Arc::new(Blocking));
    let mut requested = pin!(shutdown::requested());
    assert!(
        requested
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    say("ready");
    loop {
        thread::park();
    }
}
