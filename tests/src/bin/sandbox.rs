//! The signal thread and the program's own sandbox (Linux). Runs the one
//! scenario named by `argv[1]`; `argv[2]`, where given, is a file that the
//! cleanup `remove` tries to delete (it says `removed` or `denied: ...`).
//!
//! | scenario | what it does |
//! |---|---|
//! | `seccomp FILE` | installs a seccomp filter (no TSYNC) that denies `unlink` on the main thread, says `ready`, waits for a signal |
//! | `seccomp-paused FILE` | the same inside `signals::pause()`: the signal thread started when the guard drops is under the filter too |
//! | `unshare` | `unshare(CLONE_NEWUSER)` with the signal thread running: says `unshare: ...` |
//! | `unshare-paused` | the same inside a pause (single-threaded), then `ready`: a signal runs cleanup `a` |
//! | `signal-while-paused` | raises SIGTERM inside a pause (nested: two guards), says `alive` after each guard but the last; the last drop acts on it |
//! | `pause-on-a-thread` | another thread pauses, raises SIGTERM, says how many threads the process has, and drops the guard |
//! | `thread-names` | cleanups that say which thread runs them (`on thread NAME`) and panic there; says how many threads the process has, then `ready` |
//! | `thread-names-after-pause` | the same after a pause has stopped and restarted the signal thread |
//! | `async-seccomp FILE` | `run_now` runs an async cleanup first (a runtime thread for async cleanups exists from then on); then `seccomp-paused`, with the removal done by an async cleanup instead |

use std::sync::mpsc;

use cleanup_runtime::signals;
use cleanup_tests::{ran, say};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scenario = args.first().cloned().unwrap_or_default();
    let given = args.get(1).cloned().unwrap_or_default();
    let file = if scenario == "async-seccomp" {
        String::new()
    } else {
        given.clone()
    };
    cleanup_runtime::register_named("a", || ran("a"));
    cleanup_runtime::register_named("remove", move || -> Result<(), String> {
        if file.is_empty() {
            return Ok(());
        }
        match std::fs::remove_file(&file) {
            Ok(()) => {
                say("removed");
                Ok(())
            }
            Err(error) => {
                say(format_args!("denied: {error}"));
                Err(error.to_string())
            }
        }
    });
    match Some(scenario.as_str()) {
        Some("seccomp") => {
            deny_unlink();
            say(format_args!("threads {}", threads()));
        }
        Some("seccomp-paused") => {
            let paused = signals::pause();
            say(format_args!("threads {}", threads()));
            deny_unlink();
            drop(paused);
        }
        Some("async-seccomp") => {
            cleanup_runtime::register_async(async {});
            let _ = cleanup_runtime::run_now();
            let paused = signals::pause();
            deny_unlink();
            drop(paused);
            cleanup_runtime::register_async(async move {
                match std::fs::remove_file(&given) {
                    Ok(()) => say("removed"),
                    Err(error) => say(format_args!("denied: {error}")),
                }
            });
        }
        Some("unshare") => say(format_args!("unshare: {}", unshare_user())),
        Some("unshare-paused") => {
            let paused = signals::pause();
            say(format_args!("unshare: {}", unshare_user()));
            drop(paused);
        }
        Some("signal-while-paused") => {
            let outer = signals::pause();
            let inner = signals::pause();
            raise(libc::SIGTERM);
            say("alive");
            drop(inner);
            say("alive");
            drop(outer);
        }
        Some("pause-on-a-thread") => {
            let (done, joined) = mpsc::channel();
            std::thread::spawn(move || {
                let paused = signals::pause();
                raise(libc::SIGTERM);
                say(format_args!("threads {}", threads()));
                drop(paused);
                let _ = done.send(());
                loop {
                    std::thread::park();
                }
            });
            let _ = joined.recv();
        }
        Some("thread-names") => thread_names(),
        Some("thread-names-after-pause") => {
            drop(signals::pause());
            thread_names();
        }
        other => panic!("unknown scenario {other:?}"),
    }
    say("ready");
    loop {
        std::thread::park();
    }
}

/// Two cleanups that show the thread the runtime runs them on: one says
/// its name, the other panics there (the panic message names it too).
fn thread_names() {
    cleanup_runtime::register_named("panics", || -> () { panic!("a cleanup panicked") });
    cleanup_runtime::register_named("where", || {
        say(format_args!(
            "on thread {}",
            std::thread::current().name().unwrap_or("<unnamed>")
        ));
    });
    say(format_args!("threads {}", threads()));
}

/// How many threads this process has now.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

fn raise(signal: libc::c_int) {
    // SAFETY: raise has no memory-safety preconditions; the signal is
    // delivered to this thread before it returns.
    unsafe { libc::raise(signal) };
}

/// `unshare(CLONE_NEWUSER)`: `ok`, or the error.
fn unshare_user() -> String {
    // SAFETY: unshare has no memory-safety preconditions.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER) } == 0 {
        "ok".to_owned()
    } else {
        std::io::Error::last_os_error().to_string()
    }
}

/// A seccomp filter on this thread only (no TSYNC) that makes `unlink` and
/// `unlinkat` fail with EPERM and allows everything else.
fn deny_unlink() {
    let statement = |code: u32, k: u32| libc::sock_filter {
        code: code as u16,
        jt: 0,
        jf: 0,
        k,
    };
    let jump_if = |k: libc::c_long, jt: u8| libc::sock_filter {
        code: (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16,
        jt,
        jf: 0,
        k: k as u32,
    };
    let mut filter = [
        // The system call number: `seccomp_data.nr`, at offset 0.
        statement(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0),
        jump_if(libc::SYS_unlinkat, 2),
        jump_if(libc::SYS_unlink, 1),
        statement(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW),
        statement(
            libc::BPF_RET | libc::BPF_K,
            libc::SECCOMP_RET_ERRNO | libc::EPERM as u32,
        ),
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: prctl with these options reads only `program`, which points
    // at `filter`, both alive for the call.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        assert_eq!(
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &program as *const libc::sock_fprog
            ),
            0,
            "seccomp: {}",
            std::io::Error::last_os_error()
        );
    }
}
