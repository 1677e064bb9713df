//! Fixture for `tests/helpers.rs`: the helpers (temp paths, pid file,
//! `drop_at_exit`, `ResourceGuard`) on each way a process ends.
//!
//! `helpers SCENARIO ARGS...`; `END` is how the process then ends:
//! `return` (from `main`), `exit` (`std::process::exit(0)`) or `park`
//! (prints `ready`, waits for a signal).
//!
//! | scenario | what it does |
//! |---|---|
//! | `temp TRACKED END` | `temp::dir()` with a nested file, `temp::file()`, and `temp::track(TRACKED)` of a file it creates; prints `dir P`, `file P` |
//! | `temp-symlink LINK TARGET` | a symlink LINK -> TARGET tracked, and one inside a `temp::dir()`; prints `dir P`; returns |
//! | `pidfile PATH END` | `PidFile::create(PATH)`; prints `pid N` |
//! | `pidfile-rewrite PATH` | creates it, then writes `12345` over it as someone else would; returns |
//! | `pidfile-try PATH` | `PidFile::create(PATH)`: prints `created`, `content C`; or `refused OWNER` and `error E`, exit 1 |
//! | `pidfile-fork PATH` | creates it and a temp dir; a forked child exits; prints what survived the child; returns |
//! | `bufwriter PATH END` | 10,000 lines into a `BufWriter` (bigger than them) kept with `drop_at_exit` |
//! | `guard HOW` | a `ResourceGuard` whose release says `ran release`; see `guard` |
//! | `order` | first, `drop_at_exit`, guard, last; `exit(0)` |

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use cleanup_runtime::pidfile::{PidFile, PidFileError};
use cleanup_runtime::{ResourceGuard, drop_at_exit, temp};
use cleanup_tests::{ran, register_ran, say};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str { args.get(i).map_or("", String::as_str) };
    match arg(0) {
        "temp" => temp_paths(arg(1).into(), arg(2)),
        "temp-symlink" => temp_symlink(arg(1).into(), arg(2).into()),
        "pidfile" => pid_file(arg(1).into(), arg(2)),
        "pidfile-rewrite" => pid_file_rewrite(arg(1).into()),
        "pidfile-try" => pid_file_try(arg(1).into()),
        "pidfile-fork" => pid_file_fork(arg(1).into()),
        "bufwriter" => buf_writer(arg(1).into(), arg(2)),
        "guard" => guard(arg(1)),
        "order" => order(),
        other => panic!("unknown scenario {other:?}"),
    }
}

/// Ends the process as `how` says.
fn end(how: &str) {
    match how {
        "return" => {}
        "exit" => std::process::exit(0),
        "park" => {
            say("ready");
            loop {
                std::thread::park();
            }
        }
        other => panic!("unknown END {other:?}"),
    }
}

fn temp_paths(tracked: PathBuf, how: &str) {
    let dir = temp::dir().expect("temp dir");
    std::fs::create_dir(dir.join("nested")).expect("nested dir");
    std::fs::write(dir.join("nested/data"), "x").expect("nested file");
    let (mut file, path) = temp::file().expect("temp file");
    file.write_all(b"scratch").expect("write");
    std::fs::write(&tracked, "tracked").expect("tracked file");
    let _tracked = temp::track(&tracked);
    say(format_args!("dir {}", dir.display()));
    say(format_args!("file {}", path.display()));
    end(how);
}

fn temp_symlink(link: PathBuf, target: PathBuf) {
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let _link = temp::track(&link);
    let dir = temp::dir().expect("temp dir");
    std::os::unix::fs::symlink(&target, dir.join("inner-link")).expect("inner symlink");
    say(format_args!("dir {}", dir.display()));
}

fn pid_file(path: PathBuf, how: &str) {
    let pid_file = PidFile::create(&path).expect("pid file");
    say(format_args!("pid {}", pid_file.pid()));
    end(how);
    drop(pid_file);
}

fn pid_file_rewrite(path: PathBuf) {
    let pid_file = PidFile::create(&path).expect("pid file");
    std::fs::write(&path, "12345\n").expect("rewrite");
    // Kept to the end: the cleanup at exit decides, not a drop.
    std::mem::forget(pid_file);
}

fn pid_file_try(path: PathBuf) {
    match PidFile::create(&path) {
        Ok(pid_file) => {
            say("created");
            let content = std::fs::read_to_string(&path).expect("read");
            say(format_args!("content {}", content.trim()));
            std::mem::forget(pid_file);
        }
        Err(error) => {
            if let PidFileError::Running { pid, .. } = &error {
                say(format_args!("refused {pid}"));
            }
            say(format_args!("error {error}"));
            std::process::exit(1);
        }
    }
}

fn pid_file_fork(path: PathBuf) {
    let pid_file = PidFile::create(&path).expect("pid file");
    let dir = temp::dir().expect("temp dir");
    // SAFETY: the child only calls `exit`, which runs the exit handlers;
    // the runtime's fork handlers keep the registry consistent.
    let child = unsafe { libc::fork() };
    if child == 0 {
        std::process::exit(0);
    }
    assert!(child > 0, "fork failed");
    let mut status = 0;
    // SAFETY: waits for our own child into a live local.
    unsafe { libc::waitpid(child, &mut status, 0) };
    say(format_args!(
        "after child: pid file {}, dir {}",
        path.exists(),
        dir.exists()
    ));
    std::mem::forget(pid_file);
}

fn buf_writer(path: PathBuf, how: &str) {
    let file = File::create(&path).expect("create");
    // Bigger than all the lines: nothing reaches the file before exit.
    let log = drop_at_exit(BufWriter::with_capacity(1 << 20, file));
    for i in 0..10_000 {
        log.with(|out| writeln!(out, "line {i}"))
            .expect("kept")
            .expect("write");
    }
    end(how);
}

/// `HOW`: `release` (then returns), `drop` (then `exit`), `return` (the
/// guard dropped at the end of `main`), `exit`, `park`; `fail-exit` and
/// `panic-exit`: the release returns `Err` / panics, at exit; `fail-drop`:
/// returns `Err`, on drop.
fn guard(how: &str) {
    let fails = match how {
        "fail-exit" | "fail-drop" => Some("error"),
        "panic-exit" => Some("panic"),
        _ => None,
    };
    let guard = ResourceGuard::new("lease", move |lease| {
        ran("release");
        match fails {
            Some("panic") => panic!("{lease} release panicked"),
            Some(_) => Err(format!("{lease} lost")),
            None => Ok(()),
        }
    });
    match how {
        "release" => say(format_args!("released {:?}", guard.release())),
        "drop" | "fail-drop" => {
            drop(guard);
            say("dropped");
            std::process::exit(0);
        }
        "return" => {}
        "exit" | "fail-exit" | "panic-exit" => std::process::exit(0),
        other => end(other),
    }
}

/// Says `ran NAME` when dropped.
struct SaysWhenDropped(&'static str);

impl Drop for SaysWhenDropped {
    fn drop(&mut self) {
        ran(self.0);
    }
}

fn order() {
    register_ran("first");
    drop_at_exit(SaysWhenDropped("kept"));
    let _guard = ResourceGuard::new((), |()| ran("guard"));
    register_ran("last");
    std::process::exit(0);
}
