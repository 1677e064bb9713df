//! Fixture for `tests/hostile_start.rs` and `tests/security.rs`: a program
//! started in hostile but ordinary ways — with standard fds closed, writing
//! garbage wherever it can, installed set-user-ID root.
//!
//! One static cleanup (`ran static`), whose constructor arms the signal
//! handling before `main`. `hostile SCENARIO`:
//!
//! | scenario | what it does |
//! |---|---|
//! | `garbage` | says what fds 0, 1, 2 are (`fd N TARGET`), writes every byte value to stdout and stderr, waits until a pipe there is drained, `exit(3)` |
//! | `forge END` | writes every byte value into each close-on-exec pipe it holds open for writing (the runtime's own wake pipe), waits until they are drained, then ends as `END` says |
//! | `slow` | registers a cleanup that sleeps 200 ms then says `ran slow`; `exit(3)` |
//! | `raise` | sends itself SIGTERM |
//! | `listen-raise MS` | listens for shutdown with a grace of `MS` milliseconds (`set_grace`), sends itself SIGTERM, never ends: the grace decides |
//!
//! `END` is `exit` (`exit(3)`) or `raise` (SIGTERM to itself). Every
//! scenario that raises waits for the signal to end it.

use std::ffi::c_int;
use std::io::Write;
use std::time::Duration;

use cleanup_runtime::at_exit;
use cleanup_tests::{ran, say};

#[at_exit]
fn static_cleanup() {
    ran("static");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map_or("", String::as_str);
    say(format_args!("uid {} euid {}", uid(), euid()));
    match arg(0) {
        "garbage" => garbage(),
        "forge" => {
            forge();
            end(arg(1));
        }
        "slow" => {
            cleanup_runtime::register(|| {
                std::thread::sleep(Duration::from_millis(200));
                ran("slow");
            });
            std::process::exit(3);
        }
        "raise" => end("raise"),
        "listen-raise" => {
            let millis = arg(1).parse().expect("listen-raise MS");
            cleanup_runtime::shutdown::set_grace(Duration::from_millis(millis));
            let _listening = cleanup_runtime::shutdown::requested();
            end("raise");
        }
        other => panic!("unknown scenario {other:?}"),
    }
}

fn uid() -> libc::uid_t {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() }
}

fn euid() -> libc::uid_t {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() }
}

fn end(how: &str) -> ! {
    match how {
        "exit" => std::process::exit(3),
        "raise" => {
            // SAFETY: raise has no memory-safety preconditions.
            unsafe { libc::raise(libc::SIGTERM) };
            loop {
                std::thread::park();
            }
        }
        other => panic!("unknown END {other:?}"),
    }
}

/// Every byte value: among them 1, 2 and 15, the numbers of
/// SIGHUP, SIGINT and SIGTERM.
fn every_byte() -> Vec<u8> {
    (0..=u8::MAX).collect()
}

/// What a closed standard fd became, then the program's ordinary output,
/// garbage included, on whatever stdout and stderr are.
fn garbage() {
    for fd in 0..3 {
        let target = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            .map_or_else(|e| format!("unreadable ({e})"), |p| p.display().to_string());
        say(format_args!("fd {fd} {target}"));
    }
    let bytes = every_byte();
    let _ = std::io::stdout().write_all(&bytes);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(&bytes);
    eprintln!("hello from the program");
    // Were one of them a pipe the runtime reads, its reader has taken the
    // bytes once these return.
    wait_until_drained(1);
    wait_until_drained(2);
    std::process::exit(3);
}

/// A hostile program writing into pipes it did not open: the runtime's
/// wake pipe is the only one opened in this process. (Pipes inherited
/// from the test runner, such as cargo's jobserver, are left alone: they
/// survived an `exec`, so they are not close-on-exec.)
fn forge() {
    let bytes = every_byte();
    let mut forged = 0;
    for fd in 3..1024 {
        if is_pipe(fd) && opened_for_writing(fd) && close_on_exec(fd) {
            // SAFETY: writes a live buffer of its own length to an open fd.
            let _ = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
            wait_until_drained(fd);
            forged += 1;
        }
    }
    say(format_args!("forged into {forged} pipes"));
}

fn is_pipe(fd: c_int) -> bool {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .is_ok_and(|target| target.to_string_lossy().starts_with("pipe:"))
}

fn opened_for_writing(fd: c_int) -> bool {
    // SAFETY: F_GETFL only reads the fd's flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    flags >= 0 && flags & libc::O_ACCMODE == libc::O_WRONLY
}

fn close_on_exec(fd: c_int) -> bool {
    // SAFETY: F_GETFD only reads the fd's flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    flags >= 0 && flags & libc::FD_CLOEXEC != 0
}

/// Waits until nothing is left unread in `fd`, if it is a pipe: whoever
/// reads it has taken everything written so far. Returns at once for
/// anything else (`/dev/null`, a closed fd).
fn wait_until_drained(fd: c_int) {
    loop {
        let mut unread: c_int = 0;
        // SAFETY: FIONREAD writes one int into a live local.
        let result = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut unread) };
        if result != 0 || unread == 0 {
            return;
        }
        std::thread::yield_now();
    }
}
