//! Fixture for `tests/helpers_hostile.rs`: the temp and pid-file helpers
//! under hostile-but-ordinary conditions (issue 27): symlinks written with
//! a trailing slash, relative paths and `chdir`, mounts inside a temp dir,
//! a parent swapped for a symlink, non-UTF-8 names, a release on a thread
//! racing `exit`, a program still writing, unwritable subdirectories, and
//! a signal in the first milliseconds.
//!
//! `helpers_hostile SCENARIO ARGS...`:
//!
//! | scenario | what it does |
//! |---|---|
//! | `track PATH` | `temp::track(PATH)`; returns |
//! | `relative A B temp\|pid` | `chdir(A)`, then a dir `build` tracked (or a pid file `app.pid`), `chdir(B)`; returns |
//! | `mounts V...` | a `temp::dir()` with a file and each `V` bind-mounted on a subdirectory `mN`; prints `dir P`; returns |
//! | `park-dir` | a `temp::dir()` holding `data/precious`; prints `dir P`, `ready`; waits for a signal |
//! | `non-utf8 DIR` | tracks `DIR/a\xff` and `DIR/a\xfe` (two dirs), pid files `DIR/p\xff.pid` and `DIR/p\xfe.pid`; returns |
//! | `race guard\|remove\|pid DIR` | a release on a thread, started together with `exit(0)` on `main` |
//! | `writer` | a `temp::dir()` a thread keeps writing into; prints `dir P`, `ready`; waits for a signal |
//! | `perms` | a `temp::dir()` of 1,000 files, a read-only and a `000` subdirectory; prints `dir P`; returns |
//! | `early` | prints `go`, then its first call into the crate, `temp::dir()`; prints `ready`; waits for a signal |

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use cleanup_runtime::pidfile::PidFile;
use cleanup_runtime::{ResourceGuard, temp};
use cleanup_tests::say;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let arg = |i: usize| -> &OsStr { args.get(i).map_or(OsStr::new(""), |a| a.as_os_str()) };
    match arg(0).to_str().unwrap_or_default() {
        "track" => {
            let _tracked = temp::track(arg(1));
        }
        "relative" => relative(arg(1).as_ref(), arg(2).as_ref(), arg(3)),
        "mounts" => mounts(&args[1..]),
        "park-dir" => park_dir(),
        "non-utf8" => non_utf8(arg(1).as_ref()),
        "race" => race(arg(1), arg(2).as_ref()),
        "writer" => writer(),
        "perms" => perms(),
        "early" => early(),
        other => panic!("unknown scenario {other:?}"),
    }
}

fn park() -> ! {
    say("ready");
    loop {
        std::thread::park();
    }
}

fn relative(a: &Path, b: &Path, kind: &OsStr) {
    std::env::set_current_dir(a).expect("chdir A");
    if kind == "pid" {
        std::mem::forget(PidFile::create("app.pid").expect("pid file"));
    } else {
        std::fs::create_dir("build").expect("build dir");
        std::fs::write("build/out.o", "ours").expect("build file");
        let _build = temp::track("build");
    }
    std::env::set_current_dir(b).expect("chdir B");
}

fn mounts(victims: &[std::ffi::OsString]) {
    let dir = temp::dir().expect("temp dir");
    std::fs::write(dir.join("file"), "ours").expect("file");
    for (i, victim) in victims.iter().enumerate() {
        let point = dir.join(format!("m{i}"));
        std::fs::create_dir(&point).expect("mount point");
        let source = c_path(victim.as_ref());
        let target = c_path(&point);
        // SAFETY: two NUL-terminated paths that live across the call; no
        // file system type or data for a bind mount.
        let mounted = unsafe {
            libc::mount(
                source.as_ptr(),
                target.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND,
                std::ptr::null(),
            )
        };
        assert_eq!(mounted, 0, "mount: {}", std::io::Error::last_os_error());
    }
    say(format_args!("dir {}", dir.display()));
}

fn c_path(path: &Path) -> std::ffi::CString {
    std::ffi::CString::new(path.as_os_str().as_bytes()).expect("no NUL in the path")
}

fn park_dir() {
    let dir = temp::dir().expect("temp dir");
    std::fs::create_dir(dir.join("data")).expect("data dir");
    std::fs::write(dir.join("data/precious"), "ours").expect("data file");
    say(format_args!("dir {}", dir.display()));
    park();
}

fn non_utf8(dir: &Path) {
    for last in [0xff, 0xfe] {
        let tracked = dir.join(OsStr::from_bytes(&[b'a', last]));
        std::fs::create_dir(&tracked).expect("dir");
        std::fs::write(tracked.join("data"), "ours").expect("file");
        let _tracked = temp::track(&tracked);
        let pid_path = dir.join(OsStr::from_bytes(&[b'p', last, b'.', b'p', b'i', b'd']));
        std::mem::forget(PidFile::create(&pid_path).expect("pid file"));
    }
}

/// A release started on a thread at the moment `main` calls `exit`: it
/// runs exactly once, whole, whichever side gets there first.
fn race(kind: &OsStr, dir: &Path) {
    let start = Arc::new(Barrier::new(2));
    let thread_start = Arc::clone(&start);
    let release: Box<dyn FnOnce() + Send> = match kind.to_str().unwrap_or_default() {
        "guard" => {
            let guard = ResourceGuard::new((), |()| {
                say("begin");
                busy_work();
                say("end");
            });
            Box::new(move || {
                let _ = guard.release();
            })
        }
        "remove" => {
            let tracked = temp::dir().expect("temp dir");
            for i in 0..100 {
                std::fs::write(tracked.join(format!("f{i}")), "ours").expect("file");
            }
            say(format_args!("dir {}", tracked.display()));
            Box::new(move || {
                let _ = tracked.remove();
            })
        }
        "pid" => {
            let pid_file = PidFile::create(dir.join("app.pid")).expect("pid file");
            Box::new(move || drop(pid_file))
        }
        other => panic!("unknown race {other:?}"),
    };
    std::thread::spawn(move || {
        thread_start.wait();
        release();
    });
    start.wait();
    std::process::exit(0);
}

/// About a few hundred microseconds of work that no optimiser removes.
fn busy_work() {
    let mut x = 0u64;
    for i in 0..200_000u64 {
        x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
    }
    std::hint::black_box(x);
}

/// A thread that keeps creating files and subdirectories in a temp dir,
/// as fast as it can, ignoring errors (once the dir is being removed).
fn writer() {
    let dir = temp::dir().expect("temp dir");
    let path = dir.path().to_owned();
    let wrote = Arc::new(AtomicBool::new(false));
    let wrote_in_thread = Arc::clone(&wrote);
    std::thread::spawn(move || {
        for i in 0u64.. {
            let sub = path.join(format!("d{i}"));
            if std::fs::create_dir(&sub).is_ok() {
                let _ = std::fs::write(sub.join("f"), "ours");
            }
            let _ = std::fs::write(path.join(format!("f{i}")), "ours");
            wrote_in_thread.store(true, Ordering::Release);
        }
    });
    while !wrote.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    say(format_args!("dir {}", dir.display()));
    park();
}

fn perms() {
    let dir = temp::dir().expect("temp dir");
    for i in 0..1000 {
        std::fs::write(dir.join(format!("f{i:04}")), "ours").expect("file");
    }
    for (name, mode) in [("read-only", 0o500), ("zero", 0o000)] {
        let sub = dir.join(name);
        std::fs::create_dir_all(sub.join("nested")).expect("subdir");
        std::fs::write(sub.join("data"), "ours").expect("subdir file");
        std::fs::write(sub.join("nested/data"), "ours").expect("nested file");
        set_mode(&sub.join("nested"), mode);
        set_mode(&sub, mode);
    }
    say(format_args!("dir {}", dir.display()));
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn early() {
    say("go");
    // A signal may have started the cleanups already: then there is no
    // dir, and the process is about to die by it.
    if let Ok(dir) = temp::dir() {
        say(format_args!("dir {}", dir.display()));
    }
    park();
}
