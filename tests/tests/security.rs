//! A program installed set-user-ID root and run by another user (contract,
//! "Faults"): its environment belongs to that user, so no `CLEANUP_*`
//! variable is read — `CLEANUP_REPORT=json:/etc/passwd` must not have root
//! replace the password file — while the cleanups still run and the status
//! is kept. Root running the same binary without set-user-ID still honours
//! the variables.
//!
//! Needs root (to install the set-user-ID copy and create a user) and
//! `setpriv`, `useradd` and `userdel`; skipped with a printed reason
//! otherwise. The copy lives in a temporary directory the user can reach,
//! on a file system that honours set-user-ID bits.

mod common;

use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};

use common::{Fixture, Run};
use tempfile::TempDir;

const HOSTILE: &str = env!("CARGO_BIN_EXE_hostile");

/// Held by each test for its whole length. A test copies the fixture and
/// then runs the copy; a child the other test forks meanwhile inherits the
/// copy's open write end until it execs, and the kernel refuses to run a
/// file open for writing (`ETXTBSY`). One test at a time, no such child.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The line the runtime writes when it ignores the variables.
const IGNORED: &str = "ignored: this process runs with elevated privileges";

#[test]
fn a_set_user_id_program_run_by_another_user_ignores_the_variables_but_runs_its_cleanups() {
    let _serial = one_at_a_time();
    let Some(tools) = Tools::find() else { return };
    let Some(install) = Install::new(true) else {
        return;
    };
    let user = TestUser::create(&tools);
    let as_user = |args: &[&str]| {
        let mut all = vec![
            "--reuid",
            &user.name,
            "--regid",
            &user.name,
            "--clear-groups",
        ];
        all.push("--");
        all.push(install.binary_str());
        all.extend_from_slice(args);
        Fixture::new(tools.setpriv.to_str().expect("a UTF-8 path"), &all)
            .default_signal_dispositions()
    };

    // The report would go into the fixture's own temporary directory,
    // which only root may write to; the deadline would cut the slow
    // cleanup off.
    let fixture = as_user(&["slow"])
        .json_report()
        .env("CLEANUP_DEADLINE", "1ms");
    let root_only = fixture.temp_path("report.json");
    let root_only = root_only
        .parent()
        .expect("the fixture's directory")
        .to_owned();
    let run = fixture.run();
    assert_runs_privileged(&run);
    assert!(!run.report_written(), "{}", run.context());
    let left: Vec<_> = std::fs::read_dir(&root_only)
        .expect("the fixture's directory")
        .collect();
    assert!(left.is_empty(), "{left:?}\n{}", run.context());
    run.assert_code(3);
    assert_eq!(run.ran(), ["slow", "static"], "{}", run.context());
    assert_one_ignored_line(&run, &["CLEANUP_REPORT", "CLEANUP_DEADLINE"]);

    // Read before `main` (the static cleanup arms the signals from a
    // constructor): `off` is ignored, so SIGTERM still runs the cleanups.
    let run = as_user(&["raise"]).env("CLEANUP_SIGNALS", "off").run();
    assert_runs_privileged(&run);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["static"], "{}", run.context());
    assert_one_ignored_line(&run, &["CLEANUP_SIGNALS"]);

    // A listener's grace: the program's 10 ms stands; were the hour read,
    // the run would hang until the harness's guard.
    let run = as_user(&["listen-raise", "10"])
        .env("CLEANUP_GRACE", "1h")
        .run();
    assert_runs_privileged(&run);
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["static"], "{}", run.context());
    assert_one_ignored_line(&run, &["CLEANUP_GRACE"]);

    // Nothing set, nothing said.
    let run = as_user(&["slow"]).run();
    run.assert_code(3);
    assert!(!run.stderr.contains(IGNORED), "{}", run.context());
}

#[test]
fn root_running_the_same_binary_without_set_user_id_honours_the_variables() {
    let _serial = one_at_a_time();
    if Tools::find().is_none() {
        return;
    }
    let Some(install) = Install::new(false) else {
        return;
    };
    let root =
        |args: &[&str]| Fixture::new(install.binary_str(), args).default_signal_dispositions();

    let run = root(&["slow"])
        .json_report()
        .env("CLEANUP_DEADLINE", "1ms")
        .run();
    run.assert_code(common::code_when_the_runtime_ends_the_exit(3));
    assert_eq!(run.value_of("uid "), "0 euid 0", "{}", run.context());
    let report = run.report();
    assert_eq!(
        // The slow run-time cleanup runs first (LIFO).
        report["entries"][0]["status"],
        "timeout",
        "the deadline was honoured\n{}",
        run.context()
    );
    assert!(!run.stderr.contains(IGNORED), "{}", run.context());

    // Read through std's environment in a constructor, before `main`:
    // honoured, and nothing said (no panic there either).
    // The program's grace of an hour gives way to the variable's 10 ms.
    let run = root(&["listen-raise", "3600000"])
        .env("CLEANUP_GRACE", "10ms")
        .run();
    run.assert_signal(libc::SIGTERM);
    assert_eq!(run.ran(), ["static"], "{}", run.context());
    assert!(!run.stderr.contains(IGNORED), "{}", run.context());

    let run = root(&["raise"]).env("CLEANUP_SIGNALS", "off").run();
    run.assert_signal(libc::SIGTERM);
    assert!(
        run.ran().is_empty(),
        "signals left alone\n{}",
        run.context()
    );
    assert!(run.stderr.is_empty(), "{}", run.context());
}

/// The fixture says `uid U euid E` first: it must have run as the test
/// user with root's effective id, or the test proves nothing.
#[track_caller]
fn assert_runs_privileged(run: &Run) {
    let ids = run.value_of("uid ");
    let (uid, euid) = ids.split_once(" euid ").expect("uid U euid E");
    assert_ne!(uid, "0", "ran as the test user\n{}", run.context());
    assert_eq!(euid, "0", "set-user-ID root took effect\n{}", run.context());
}

/// Exactly one line says the variables were ignored, and it names `names`.
#[track_caller]
fn assert_one_ignored_line(run: &Run, names: &[&str]) {
    let lines: Vec<&str> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.contains(IGNORED))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.context());
    for name in names {
        assert!(lines[0].contains(name), "{name}\n{}", run.context());
    }
}

/// The programs the test needs, found on `PATH` or in the sbin folders.
struct Tools {
    setpriv: PathBuf,
    useradd: PathBuf,
    userdel: PathBuf,
}

impl Tools {
    /// The tools, when the test can run here; otherwise prints why not.
    fn find() -> Option<Tools> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            println!("skipped: needs root to install a set-user-ID root program");
            return None;
        }
        let find = |name: &str| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let found = std::env::split_paths(&path)
                .chain(["/usr/sbin".into(), "/sbin".into(), "/usr/bin".into()])
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file());
            if found.is_none() {
                println!("skipped: `{name}` is not installed");
            }
            found
        };
        Some(Tools {
            setpriv: find("setpriv")?,
            useradd: find("useradd")?,
            userdel: find("userdel")?,
        })
    }
}

/// A copy of the fixture owned by root in a temporary directory that
/// everyone can reach, set-user-ID or not.
struct Install {
    binary: PathBuf,
    _dir: TempDir,
}

impl Install {
    fn new(set_user_id: bool) -> Option<Install> {
        let dir = tempfile::Builder::new()
            .prefix("cleanup-setuid-")
            .tempdir()
            .expect("a temporary directory");
        // tempfile makes the directory 0700: the user must reach the binary.
        std::fs::set_permissions(dir.path(), PermissionsExt::from_mode(0o755))
            .expect("chmod the directory");
        if set_user_id && mounted_nosuid(dir.path()) {
            println!(
                "skipped: {} is on a file system mounted nosuid",
                dir.path().display()
            );
            return None;
        }
        let binary = dir.path().join("hostile");
        std::fs::copy(HOSTILE, &binary).expect("copy the fixture");
        let mode = if set_user_id { 0o4755 } else { 0o755 };
        std::fs::set_permissions(&binary, PermissionsExt::from_mode(mode))
            .expect("chmod the fixture");
        Some(Install { binary, _dir: dir })
    }

    fn binary_str(&self) -> &str {
        self.binary.to_str().expect("a UTF-8 temporary path")
    }
}

fn mounted_nosuid(path: &Path) -> bool {
    let path = CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL in the path");
    // SAFETY: a zeroed statvfs is a valid out-parameter; the path is a
    // NUL-terminated string that outlives the call.
    unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        libc::statvfs(path.as_ptr(), &mut stat) == 0 && stat.f_flag & libc::ST_NOSUID != 0
    }
}

/// A user (and its group) created for the test, removed when dropped.
struct TestUser {
    name: String,
    userdel: PathBuf,
}

impl TestUser {
    fn create(tools: &Tools) -> TestUser {
        let name = format!("cleanup-test-{}", std::process::id());
        let status = Command::new(&tools.useradd)
            .args(["--system", "--no-create-home", "--user-group"])
            .args(["--shell", "/usr/sbin/nologin", &name])
            .status()
            .expect("run useradd");
        assert!(status.success(), "useradd {name}: {status}");
        TestUser {
            name,
            userdel: tools.userdel.clone(),
        }
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        // Also removes the group `--user-group` created.
        let removed = Command::new(&self.userdel)
            .arg(&self.name)
            .status()
            .is_ok_and(|status| status.success());
        if !removed {
            eprintln!("could not remove the test user {}", self.name);
        }
    }
}
