//! Spawning the Windows fixtures under Wine: pipes for stdin, stdout and
//! stderr (a pty would give the process a Wine console, which rewrites its
//! output), a ready line to synchronise on, SIGINT for Ctrl-C, and a hang
//! guard that kills a stuck process.
//!
//! `wine` execs the Windows process in place, so the pid we spawn is the
//! fixture's own: SIGINT sent to it reaches its console control handlers
//! as `CTRL_C_EVENT`, on a new thread, as Windows delivers Ctrl-C. (Wine
//! does not translate SIGTERM: it kills the process.) Wine's exit status
//! is the Windows exit code's low 8 bits.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long a fixture may take before it is taken for stuck and killed.
/// Generous: a cold Wine server start is a few seconds.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// `STATUS_CONTROL_C_EXIT` (0xC000013A), the code of a process ended by
/// Ctrl-C, as Wine's exit status shows it: its low 8 bits.
pub const CONTROL_C_EXIT: i32 = 0xC000_013A_u32 as i32 & 0xFF;

/// The directory of the cross-built fixtures: `CLEANUP_WINE_EXES`, set by
/// `.ci/wine-e2e`. Missing is an error, not a skip: a suite that passes
/// without running anything proves nothing.
pub fn exes() -> PathBuf {
    exes_in("CLEANUP_WINE_EXES")
}

/// The same fixtures built with `panic = "abort"`: `CLEANUP_WINE_ABORT_EXES`.
pub fn abort_exes() -> PathBuf {
    exes_in("CLEANUP_WINE_ABORT_EXES")
}

fn exes_in(variable: &str) -> PathBuf {
    let Some(dir) = std::env::var_os(variable) else {
        panic!(
            "{variable} is not set: it must name a directory of the fixtures built for \
             x86_64-pc-windows-gnu (scenarios.exe, statics.exe, bcryptprimitives.dll). \
             Run the suite with .ci/wine-e2e, which builds them and sets it."
        );
    };
    let dir = PathBuf::from(dir);
    for file in ["scenarios.exe", "statics.exe", "bcryptprimitives.dll"] {
        assert!(
            dir.join(file).is_file(),
            "{variable}={} has no {file}: run .ci/wine-e2e",
            dir.display()
        );
    }
    dir
}

/// A fixture to start: `wine <exe> <args>`, with the JSON report on stderr.
pub struct Fixture {
    command: Command,
    description: String,
}

impl Fixture {
    /// `statics.exe`.
    pub fn statics() -> Fixture {
        Fixture::new(exes(), "statics.exe", &[])
    }

    /// `scenarios.exe SCENARIO`.
    pub fn scenario(scenario: &str) -> Fixture {
        Fixture::new(exes(), "scenarios.exe", &[scenario])
    }

    /// `scenarios.exe SCENARIO` from the `panic = "abort"` build.
    pub fn scenario_in_abort_build(scenario: &str) -> Fixture {
        let mut fixture = Fixture::new(abort_exes(), "scenarios.exe", &[scenario]);
        fixture.description = format!("(panic = \"abort\") {}", fixture.description);
        fixture
    }

    fn new(dir: PathBuf, exe: &str, args: &[&str]) -> Fixture {
        let mut command = Command::new("wine");
        command
            .arg(dir.join(exe))
            .args(args)
            .env("CLEANUP_REPORT", "json")
            .env("RUST_BACKTRACE", "0")
            // No Wine debug channels: stderr is the fixture's alone.
            .env("WINEDEBUG", "-all")
            .env_remove("CLEANUP_DEADLINE")
            .env_remove("CLEANUP_GRACE")
            .env_remove("CLEANUP_SIGNALS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Fixture {
            command,
            description: format!("wine {exe} {}", args.join(" ")),
        }
    }

    /// Sets an environment variable of the fixture.
    pub fn env(mut self, key: &str, value: &str) -> Fixture {
        self.command.env(key, value);
        self.description = format!("{key}={value} {}", self.description);
        self
    }

    /// Starts it and waits for it to end.
    pub fn run(self) -> Run {
        self.start().finish()
    }

    /// Starts it; read its lines with [`Started::wait_for_line`].
    pub fn start(mut self) -> Started {
        let mut child = self.command.spawn().unwrap_or_else(|error| {
            panic!(
                "cannot start `{}`: {error} (is wine installed?)",
                self.description
            )
        });
        let (sender, lines) = mpsc::channel();
        let stdout_seen = Arc::new(Mutex::new(String::new()));
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let seen = Arc::clone(&stdout_seen);
        let (stdout_done, stdout_closed) = mpsc::channel();
        thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                seen.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = sender.send(line);
            }
            let _ = stdout_done.send(());
        });
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (stderr_done, stderr_text) = mpsc::channel();
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = stderr_done.send(text);
        });
        Started {
            child,
            description: self.description,
            started: Instant::now(),
            lines,
            stdout_seen,
            stdout_closed,
            stderr_text,
        }
    }
}

/// A running fixture.
pub struct Started {
    child: Child,
    description: String,
    started: Instant,
    lines: Receiver<String>,
    stdout_seen: Arc<Mutex<String>>,
    /// Each says when its pipe is closed: by every process holding it.
    stdout_closed: Receiver<()>,
    stderr_text: Receiver<String>,
}

impl Started {
    /// Blocks until the fixture prints `line` on stdout.
    pub fn wait_for_line(&mut self, line: &str) {
        loop {
            let left = HANG_GUARD.saturating_sub(self.started.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(seen) if seen == line => return,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    panic!(
                        "`{}` did not print {line:?} within {HANG_GUARD:?}; stdout so far:\n{}",
                        self.description,
                        self.stdout_seen.lock().unwrap()
                    );
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let run = self.finish_now();
                    panic!("stdout closed before {line:?}\n{}", run.context());
                }
            }
        }
    }

    /// Sends `SIGINT` (Ctrl-C, for the Windows process) to the fixture.
    pub fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child, which has not been reaped (we
        // hold its `Child` and have not waited on it).
        let sent = unsafe { libc::kill(pid, libc::SIGINT) };
        assert_eq!(sent, 0, "kill: {}", std::io::Error::last_os_error());
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the fixture to end (killing it past the hang guard) and
    /// returns what it did.
    pub fn finish(mut self) -> Run {
        loop {
            if self.child.try_wait().expect("wait").is_some() {
                return self.finish_now();
            }
            if self.started.elapsed() > HANG_GUARD {
                self.kill();
                let run = self.finish_now();
                panic!("killed after {HANG_GUARD:?}: stuck\n{}", run.context());
            }
            // Polling the hang guard, not synchronising.
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn finish_now(&mut self) -> Run {
        let status = self.child.wait().expect("wait");
        // The pipes close when every process holding them has ended: the
        // fixture, and any Wine process it started (services.exe and the
        // like, if the prefix was not booted before the tests:
        // .ci/wine-e2e boots it). Bounded by the hang guard too.
        let left = || HANG_GUARD.saturating_sub(self.started.elapsed());
        let stdout_closed = self.stdout_closed.recv_timeout(left()).is_ok();
        let stderr = self.stderr_text.recv_timeout(left());
        let run = Run {
            description: self.description.clone(),
            status,
            stdout: self.stdout_seen.lock().unwrap().clone(),
            stderr: stderr.clone().unwrap_or_default(),
        };
        assert!(
            stdout_closed && stderr.is_ok(),
            "the fixture ended but its stdout or stderr stayed open for {HANG_GUARD:?}: another \
             process holds them (a Wine service started by the fixture? boot the prefix first, \
             as .ci/wine-e2e does)\n{}",
            run.context()
        );
        run
    }
}

/// What a fixture did.
pub struct Run {
    description: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Everything about the run, for assertion messages.
    pub fn context(&self) -> String {
        format!(
            "`{}` ended with {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.description, self.status, self.stdout, self.stderr
        )
    }

    /// Asserts that Wine exited with `code`.
    pub fn assert_code(&self, code: i32) {
        assert_eq!(self.status.code(), Some(code), "{}", self.context());
    }

    /// The process ended by Ctrl-C after a run Ctrl-C started: status
    /// [`CONTROL_C_EXIT`], and a report with trigger `signal`, signal 2.
    /// Returns the report.
    pub fn assert_ended_by_ctrl_c(&self) -> Value {
        self.assert_code(CONTROL_C_EXIT);
        let report = self.report();
        assert_eq!(report["trigger"], "signal", "{}", self.context());
        assert_eq!(report["signal"], 2, "{}", self.context());
        report
    }

    /// The cleanups that said they ran, in order.
    pub fn ran(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter_map(|line| line.strip_prefix("ran "))
            .collect()
    }

    /// Whether stdout has `line`.
    pub fn printed(&self, line: &str) -> bool {
        self.stdout.lines().any(|seen| seen == line)
    }

    /// The value printed after `prefix ` on stdout.
    pub fn value_of(&self, prefix: &str) -> &str {
        self.stdout
            .lines()
            .find_map(|line| line.strip_prefix(prefix)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("no {prefix:?} line\n{}", self.context()))
    }

    /// The JSON report (`CLEANUP_REPORT=json`: one line on stderr).
    pub fn report(&self) -> Value {
        let line = self
            .stderr
            .lines()
            .find(|line| line.starts_with("{\"trigger\""))
            .unwrap_or_else(|| panic!("no JSON report on stderr\n{}", self.context()));
        serde_json::from_str(line).unwrap_or_else(|error| panic!("report: {error}\n{line}"))
    }

    /// Whether a report was written.
    pub fn report_written(&self) -> bool {
        self.stderr
            .lines()
            .any(|line| line.starts_with("{\"trigger\""))
    }
}

/// The names of a report's entries, in run order.
pub fn names(report: &Value) -> Vec<&str> {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["name"].as_str().expect("name"))
        .collect()
}

/// The report's entry called `name`.
pub fn entry<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|entry| entry["name"] == name)
        .unwrap_or_else(|| panic!("no entry {name:?} in {report}"))
}

/// The Unix path of a path the fixture printed (`C:\users\...`), as
/// `winepath` maps it in this prefix.
pub fn unix_path(windows_path: &str) -> PathBuf {
    let output = Command::new("winepath")
        .arg("-u")
        .arg(windows_path)
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::null())
        .output()
        .expect("winepath");
    assert!(
        output.status.success(),
        "winepath -u {windows_path:?}: {output:?}"
    );
    let path = String::from_utf8(output.stdout).expect("utf-8 path");
    Path::new(path.trim_end()).to_path_buf()
}
