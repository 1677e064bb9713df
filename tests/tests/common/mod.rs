//! Spawning the fixture binaries and reading what they did.
//!
//! A [`Fixture`] is one child process to run: which binary, which
//! arguments, where its report and log go. [`Fixture::run`] waits for it
//! and returns a [`Run`]: exit status, stdout, stderr, the log file and the
//! report file, plus [`Run::context`], which every assertion message
//! prints so that a failure shows what the child did.
//!
//! The environment is cleaned of the variables that change a fixture's
//! behaviour (`CLEANUP_REPORT`, `CLEANUP_DEADLINE`, `CLEANUP_SIGNALS`,
//! `CLEANUP_GRACE`, `FIXTURE_LOG`, `RUST_BACKTRACE`), so a developer's shell cannot change a
//! test's result.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

mod crate_fixtures;
mod platform;
// Each test crate uses a different subset of these helpers.
#[allow(unused_imports)]
pub use crate_fixtures::{crate_fixtures, crate_fixtures_target};
#[allow(unused_imports)]
pub use platform::{
    code_when_the_runtime_ends_the_exit, portable, reported_status, reported_status_text,
};

/// The main fixture: one scenario per run.
pub const SCENARIOS: &str = env!("CARGO_BIN_EXE_scenarios");
/// The fixture with static cleanups.
pub const STATICS: &str = env!("CARGO_BIN_EXE_statics");
/// The fixture that only links `fixture-lib`.
pub const LIB_ONLY: &str = env!("CARGO_BIN_EXE_lib_only");
/// The fixture for signals, deadlines, timeouts and fork.
pub const LIFECYCLE: &str = env!("CARGO_BIN_EXE_lifecycle");

/// The variable the fixtures read for their log file
/// (`cleanup_tests::LOG_VAR`).
const LOG_VAR: &str = "FIXTURE_LOG";

/// Not a timing check: a fixture that is still running after this long is
/// hung (a bug the tests exist to catch), and is killed so that the test
/// fails with the child's output instead of blocking the suite forever.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// One child process to run.
pub struct Fixture {
    command: Command,
    dir: TempDir,
    report: Option<PathBuf>,
    log: Option<PathBuf>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
}

impl Fixture {
    /// Runs `exe` with `args`, stdout and stderr captured, no report
    /// variable set.
    pub fn new(exe: &str, args: &[&str]) -> Fixture {
        let mut command = Command::new(exe);
        command
            .args(args)
            .stdin(Stdio::null())
            .env_remove("CLEANUP_REPORT")
            .env_remove("CLEANUP_DEADLINE")
            .env_remove("CLEANUP_SIGNALS")
            .env_remove("CLEANUP_GRACE")
            .env_remove(LOG_VAR)
            .env_remove("RUST_BACKTRACE");
        Fixture {
            command,
            dir: tempfile::tempdir().expect("temporary directory"),
            report: None,
            log: None,
            stdout: None,
            stderr: None,
        }
    }

    /// The `scenarios` fixture running `args[0]`.
    pub fn scenario(args: &[&str]) -> Fixture {
        Fixture::new(SCENARIOS, args)
    }

    /// The `statics` fixture running `scenario`.
    pub fn statics(scenario: &str) -> Fixture {
        Fixture::new(STATICS, &[scenario])
    }

    /// `CLEANUP_REPORT=json:<temporary file>`; read it with [`Run::report`].
    pub fn json_report(self) -> Fixture {
        self.report_file("json")
    }

    /// `CLEANUP_REPORT=<format>:<temporary file>`; read it with
    /// [`Run::report_text`].
    pub fn report_file(mut self, format: &str) -> Fixture {
        let path = self.dir.path().join(format!("report.{format}"));
        self.command
            .env("CLEANUP_REPORT", format!("{format}:{}", path.display()));
        self.report = Some(path);
        self
    }

    /// The child's stdin is a pipe: [`Started::write_line`] writes to it.
    pub fn stdin_piped(mut self) -> Fixture {
        self.command.stdin(Stdio::piped());
        self
    }

    /// Sets an environment variable of the child.
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Fixture {
        self.command.env(key, value);
        self
    }

    /// A path inside this fixture's temporary directory (not created).
    pub fn temp_path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The fixture's lines go to a temporary file (`FIXTURE_LOG`) instead of
    /// stdout; [`Run::out`] reads it.
    pub fn log_file(mut self) -> Fixture {
        let path = self.dir.path().join("fixture.log");
        self.command.env(LOG_VAR, &path);
        self.log = Some(path);
        self
    }

    /// Starts the child with the default action for SIGINT, SIGTERM and
    /// SIGHUP and no signal blocked, whatever the test runner inherited
    /// (a shell's `cmd &` ignores SIGINT, and ignored signals stay ignored
    /// across `exec` — and by the contract, in the fixture too).
    pub fn default_signal_dispositions(mut self) -> Fixture {
        // SAFETY: the closure runs in the forked child before `exec`, and
        // only calls `sigemptyset`, `sigprocmask` and `signal`, which are
        // async-signal-safe; it allocates nothing and takes no lock.
        unsafe {
            self.command.pre_exec(|| {
                let mut none = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
                libc::sigemptyset(none.as_mut_ptr());
                libc::sigprocmask(libc::SIG_SETMASK, none.as_ptr(), std::ptr::null_mut());
                for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                    if libc::signal(signal, libc::SIG_DFL) == libc::SIG_ERR {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            })
        };
        self
    }

    /// Starts the child with `signal` ignored, as `nohup` or a shell's
    /// `cmd &` would. Call after [`Fixture::default_signal_dispositions`].
    pub fn ignoring(mut self, signal: libc::c_int) -> Fixture {
        // SAFETY: as in `default_signal_dispositions`: only `signal`, which
        // is async-signal-safe, runs between fork and exec.
        unsafe {
            self.command.pre_exec(move || {
                if libc::signal(signal, libc::SIG_IGN) == libc::SIG_ERR {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            })
        };
        self
    }

    /// Starts the child with the standard `fds` closed, as `cmd <&- >&- 2>&-`
    /// would (after the harness set up its pipes, so a closed stdout or
    /// stderr is closed, not captured).
    pub fn closing(mut self, fds: &'static [libc::c_int]) -> Fixture {
        // SAFETY: only `close`, which is async-signal-safe, runs between
        // fork and exec; it allocates nothing and takes no lock.
        unsafe {
            self.command.pre_exec(move || {
                for &fd in fds {
                    libc::close(fd);
                }
                Ok(())
            })
        };
        self
    }

    /// The child's stdout, instead of a pipe read by the test.
    pub fn stdout(mut self, stdout: impl Into<Stdio>) -> Fixture {
        self.stdout = Some(stdout.into());
        self
    }

    /// The child's stderr, instead of a pipe read by the test.
    pub fn stderr(mut self, stderr: impl Into<Stdio>) -> Fixture {
        self.stderr = Some(stderr.into());
        self
    }

    /// Starts the child, sends it `signal` once it prints `ready`, and
    /// collects what it did.
    pub fn run_signalled(self, signal: libc::c_int) -> Run {
        let mut child = self.start();
        child.wait_for_line("ready");
        child.signal(signal);
        child.finish()
    }

    /// Runs the child to its end and collects what it did.
    pub fn run(self) -> Run {
        self.start().finish()
    }

    /// Starts the child; [`Started::wait_for_line`] and
    /// [`Started::signal`] act on it while it runs.
    pub fn start(mut self) -> Started {
        let capture_stdout = self.stdout.is_none();
        let capture_stderr = self.stderr.is_none();
        self.command
            .stdout(self.stdout.take().unwrap_or_else(Stdio::piped))
            .stderr(self.stderr.take().unwrap_or_else(Stdio::piped));
        let mut child = self.command.spawn().expect("spawn the fixture");
        // The command holds the parent's copies of any pipe ends handed to
        // the child; drop them so that the child alone holds them.
        drop(self.command);
        let (line_sender, lines) = mpsc::channel();
        let stdout = capture_stdout.then(|| read_lines(child.stdout.take(), line_sender));
        let stderr = capture_stderr.then(|| read_all(child.stderr.take()));
        Started {
            pid: libc::pid_t::try_from(child.id()).expect("pid fits pid_t"),
            child,
            lines,
            seen: Vec::new(),
            stdout,
            stderr,
            dir: self.dir,
            report: self.report,
            log: self.log,
        }
    }
}

/// A fixture that is running.
pub struct Started {
    child: Child,
    pid: libc::pid_t,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    stdout: Option<thread::JoinHandle<String>>,
    stderr: Option<thread::JoinHandle<String>>,
    dir: TempDir,
    report: Option<PathBuf>,
    log: Option<PathBuf>,
}

impl Started {
    /// Blocks until the child prints `line` on stdout (the child's "ready"
    /// signal: no sleeping). Fails with what the child printed if it ends
    /// or hangs first.
    #[track_caller]
    pub fn wait_for_line(&mut self, line: &str) {
        loop {
            match self.lines.recv_timeout(HANG_GUARD) {
                Ok(seen) if seen == line => return,
                Ok(seen) => self.seen.push(seen),
                Err(error) => {
                    self.kill();
                    panic!(
                        "the fixture never printed {line:?} ({error}); stdout so far:\n{}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }

    /// Blocks until the child prints a line starting with `prefix`, and
    /// returns the rest of that line.
    #[track_caller]
    pub fn wait_for_prefix(&mut self, prefix: &str) -> String {
        loop {
            match self.lines.recv_timeout(HANG_GUARD) {
                Ok(seen) if seen.starts_with(prefix) => return seen[prefix.len()..].to_owned(),
                Ok(seen) => self.seen.push(seen),
                Err(error) => {
                    self.kill();
                    panic!(
                        "the fixture never printed a line starting with {prefix:?} ({error}); stdout so far:\n{}",
                        self.seen.join("\n")
                    );
                }
            }
        }
    }

    /// From now on [`Started::signal`] goes to `pid`: the process that does
    /// the work when the child is a wrapper such as `unshare --fork`.
    pub fn retarget(&mut self, pid: libc::pid_t) {
        self.pid = pid;
    }

    /// Writes `line` to the child's stdin ([`Fixture::stdin_piped`]); a
    /// child that has ended already is not an error here: what it did is
    /// checked on its output.
    pub fn write_line(&mut self, line: &str) {
        if let Some(stdin) = self.child.stdin.as_mut() {
            let _ = writeln!(stdin, "{line}");
        }
    }

    /// Sends `signal` to the child.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: `pid` is our own child, not yet reaped (only `finish`
        // waits for it, and it takes `self`), so the pid is still the
        // child's; `kill` has no memory-safety preconditions.
        let sent = unsafe { libc::kill(self.pid, signal) };
        assert_eq!(sent, 0, "kill: {}", std::io::Error::last_os_error());
    }

    fn kill(&self) {
        // SAFETY: as in `signal`.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
    }

    /// Waits for the child to end and collects what it did.
    pub fn finish(self) -> Run {
        let pid = self.pid;
        let mut child = self.child;
        let (done, finished) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(child.wait().expect("wait for the fixture"));
        });
        let (status, hung) = match finished.recv_timeout(HANG_GUARD) {
            Ok(status) => (status, false),
            Err(_) => {
                // SAFETY: `pid` is our own child, not yet reaped (the waiter
                // thread has not returned), so the pid cannot have been
                // reused; `kill` has no memory-safety preconditions.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                let status = finished.recv().expect("the waiter thread reports");
                (status, true)
            }
        };
        let join = |reader: thread::JoinHandle<String>| reader.join().expect("pipe reader");
        let stdout = self.stdout.map(join).unwrap_or_default();
        let stderr = self.stderr.map(join).unwrap_or_default();
        let read = |path: &Option<PathBuf>| path.as_deref().map(std::fs::read_to_string);
        let run = Run {
            status,
            stdout,
            stderr,
            log: read(&self.log).map(|log| log.unwrap_or_default()),
            report: read(&self.report).map(|report| report.map_err(|e| e.to_string())),
            _dir: self.dir,
        };
        assert!(
            !hung,
            "the fixture was still running after {HANG_GUARD:?} and was killed\n{}",
            run.context()
        );
        run
    }
}

fn read_all<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<String> {
    let mut pipe = pipe.expect("captured pipe");
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Reads `pipe` to its end, sending each line as it comes, and returns the
/// whole text.
fn read_lines<R: Read + Send + 'static>(
    pipe: Option<R>,
    lines: mpsc::Sender<String>,
) -> thread::JoinHandle<String> {
    let mut pipe = BufReader::new(pipe.expect("captured pipe"));
    thread::spawn(move || {
        let mut all = Vec::new();
        let mut line = Vec::new();
        while matches!(pipe.read_until(b'\n', &mut line), Ok(1..)) {
            all.extend_from_slice(&line);
            let text = String::from_utf8_lossy(&line);
            // Nobody listening is fine: the test only waits for some lines.
            let _ = lines.send(text.trim_end_matches('\n').to_owned());
            line.clear();
        }
        String::from_utf8_lossy(&all).into_owned()
    })
}

/// What one fixture run did.
pub struct Run {
    /// How the child ended.
    pub status: ExitStatus,
    /// Everything the child wrote to stdout (empty if not captured).
    pub stdout: String,
    /// Everything the child wrote to stderr (empty if not captured).
    pub stderr: String,
    log: Option<String>,
    report: Option<Result<String, String>>,
    _dir: TempDir,
}

impl Run {
    /// Status, stdout, stderr, log and report of the child, for assertion
    /// messages.
    pub fn context(&self) -> String {
        let mut text = format!(
            "status: {:?} (code {:?}, signal {:?})\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status,
            self.status.code(),
            self.status.signal(),
            self.stdout,
            self.stderr
        );
        if let Some(log) = &self.log {
            text.push_str(&format!("--- log ---\n{log}"));
        }
        match &self.report {
            Some(Ok(report)) => text.push_str(&format!("--- report file ---\n{report}")),
            Some(Err(error)) => text.push_str(&format!("--- report file: {error} ---\n")),
            None => {}
        }
        text
    }

    /// Asserts that the process exited (not killed by a signal) with `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.status.signal(),
            None,
            "the fixture was killed by a signal\n{}",
            self.context()
        );
        assert_eq!(
            self.status.code(),
            Some(code),
            "exit status\n{}",
            self.context()
        );
    }

    /// Asserts that the process was ended by `signal`.
    #[track_caller]
    pub fn assert_signal(&self, signal: libc::c_int) {
        assert_eq!(
            self.status.signal(),
            Some(signal),
            "the fixture should have died by signal {signal}\n{}",
            self.context()
        );
    }

    /// The fixture's lines: the log file if one was asked for, else stdout.
    pub fn out(&self) -> &str {
        self.log.as_deref().unwrap_or(&self.stdout)
    }

    /// The names of the `ran NAME` lines, in order.
    pub fn ran(&self) -> Vec<&str> {
        self.out()
            .lines()
            .filter_map(|line| line.strip_prefix("ran "))
            .collect()
    }

    /// How many lines of the fixture's output are exactly `line`.
    pub fn count(&self, line: &str) -> usize {
        self.out().lines().filter(|l| *l == line).count()
    }

    /// Index of the first line that is exactly `line`; fails if none.
    #[track_caller]
    pub fn position(&self, line: &str) -> usize {
        self.out()
            .lines()
            .position(|l| l == line)
            .unwrap_or_else(|| panic!("no line {line:?}\n{}", self.context()))
    }

    /// The `ran NAME` names after the line `marker`.
    #[track_caller]
    pub fn ran_after(&self, marker: &str) -> Vec<&str> {
        let start = self.position(marker);
        self.out()
            .lines()
            .skip(start)
            .filter_map(|line| line.strip_prefix("ran "))
            .collect()
    }

    /// The sequence number and `file:line` in the fixture's
    /// `registered NAME SEQUENCE FILE:LINE` line for `name`.
    #[track_caller]
    pub fn registered(&self, name: &str) -> (u64, String) {
        let prefix = format!("registered {name} ");
        let line = self
            .out()
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} line\n{}", self.context()));
        let (sequence, source) = line.split_once(' ').expect("SEQUENCE FILE:LINE");
        (sequence.parse().expect("sequence"), source.to_owned())
    }

    /// The text after `prefix` on the fixture's first line starting with it.
    #[track_caller]
    pub fn value_of(&self, prefix: &str) -> &str {
        self.out()
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line starting {prefix:?}\n{}", self.context()))
    }

    /// The JSON after `prefix` on the fixture's first line starting with it.
    #[track_caller]
    pub fn json_of(&self, prefix: &str) -> Value {
        let text = self.value_of(prefix);
        serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("{prefix:?} is not JSON: {e}\n{}", self.context()))
    }

    /// The report file's text; fails if it was not written.
    #[track_caller]
    pub fn report_text(&self) -> &str {
        match &self.report {
            Some(Ok(text)) => text,
            Some(Err(error)) => panic!("no report file: {error}\n{}", self.context()),
            None => panic!("the test asked for no report file"),
        }
    }

    /// The report file, parsed as JSON.
    #[track_caller]
    pub fn report(&self) -> Value {
        serde_json::from_str(self.report_text())
            .unwrap_or_else(|e| panic!("the report is not JSON: {e}\n{}", self.context()))
    }

    /// Whether the report file exists.
    pub fn report_written(&self) -> bool {
        matches!(self.report, Some(Ok(_)))
    }

    /// The lines of stderr.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// The `name`s of a JSON report's `entries` (or `pending`), in order.
pub fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|entry| entry["name"].as_str().expect("a name string"))
        .collect()
}

/// The entry called `name` in a JSON report's `entries`.
#[track_caller]
pub fn entry<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["entries"]
        .as_array()
        .expect("entries is an array")
        .iter()
        .find(|entry| entry["name"] == name)
        .unwrap_or_else(|| panic!("no entry {name:?} in {report}"))
}
