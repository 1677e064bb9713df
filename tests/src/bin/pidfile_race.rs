//! Fixture for `tests/pidfile.rs`: `PidFile::create` raced by several
//! processes, and on paths a pid file must not write through.
//!
//! | scenario | what it does |
//! |---|---|
//! | `race PATH` | prints `ready`, waits for the end of stdin (the test's barrier, shared by every racer), then `PidFile::create(PATH)`: prints `won PID`, `running PID` or `error E`, and holds on until killed |
//! | `create PATH` | `PidFile::create(PATH)`: prints `created PID` or `error E`; returns (the file is removed at exit) |

use std::io::Read;
use std::path::PathBuf;

use cleanup_runtime::pidfile::{PidFile, PidFileError};
use cleanup_tests::say;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> &str { args.get(i).map_or("", String::as_str) };
    match arg(0) {
        "race" => race(arg(1).into()),
        "create" => create(arg(1).into()),
        other => panic!("unknown scenario {other:?}"),
    }
}

fn race(path: PathBuf) {
    say("ready");
    // Every racer reads the same pipe: they all wake when the test closes
    // its end, as close together as the kernel can make it.
    let mut rest = Vec::new();
    std::io::stdin().read_to_end(&mut rest).expect("read stdin");
    let result = PidFile::create(&path);
    match &result {
        Ok(pid_file) => say(format_args!("won {}", pid_file.pid())),
        Err(PidFileError::Running { pid, .. }) => say(format_args!("running {pid}")),
        Err(error) => say(format_args!("error {error}")),
    }
    // The winner holds the file until the test has every racer's answer.
    loop {
        std::thread::park();
    }
}

fn create(path: PathBuf) {
    match PidFile::create(&path) {
        Ok(pid_file) => {
            say(format_args!("created {}", pid_file.pid()));
            std::mem::forget(pid_file); // removed by the cleanup at exit
        }
        Err(error) => say(format_args!("error {error}")),
    }
}
