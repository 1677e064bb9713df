//! The temp and pid-file helpers under hostile-but-ordinary conditions
//! (issue 27): removal never deletes what is not ours (a symlink written
//! with a trailing slash, a relative path after `chdir`, a mount inside, a
//! parent swapped for a symlink) and never leaves what is (non-UTF-8
//! names, a release racing `exit`, a program still writing, unwritable
//! subdirectories, a signal in the first milliseconds).
//!
//! Each test runs the `helpers_hostile` fixture many times where the
//! outcome is a race, counts the bad outcomes and prints the count, then
//! asserts there were none. Tests that need a mount namespace or another
//! user say so and return where the machine does not offer them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Fixture, Run};

const HOSTILE: &str = env!("CARGO_BIN_EXE_helpers_hostile");

fn hostile(args: &[&str]) -> Fixture {
    Fixture::new(HOSTILE, args)
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn names_in(dir: &Path) -> Vec<std::ffi::OsString> {
    std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|entry| entry.expect("entry").file_name())
        .collect()
}

/// Bad outcomes counted per check: all printed (`what: bad/runs`, for the
/// record), then each asserted to be 0, with the context of a run that
/// went wrong.
#[derive(Default)]
struct Tally(Vec<(String, usize, usize, Option<Run>)>);

impl Tally {
    fn add(&mut self, what: impl Into<String>, bad: usize, runs: usize, last: Option<Run>) {
        self.0.push((what.into(), bad, runs, last));
    }

    #[track_caller]
    fn check(self) {
        for (what, bad, runs, _) in &self.0 {
            eprintln!("{what}: {bad}/{runs}");
        }
        for (what, bad, runs, last) in &self.0 {
            assert_eq!(
                *bad,
                0,
                "{what}: {bad} of {runs}\n{}",
                last.as_ref().map(Run::context).unwrap_or_default()
            );
        }
    }
}

/// Item 1: `symlink_metadata` follows a symlink when the path ends in `/`,
/// and the target's contents were deleted. A tracked `link/` or `link/.`
/// removes the link and leaves the target whole.
#[test]
fn a_tracked_symlink_written_with_a_trailing_slash_removes_the_link_only() {
    let (mut emptied, mut links_left, mut runs) = (0, 0, 0);
    let mut last = None;
    for suffix in ["/", "/."] {
        for _ in 0..10 {
            let scratch = tempfile::tempdir().unwrap();
            let victim = scratch.path().join("victim");
            std::fs::create_dir(&victim).unwrap();
            std::fs::write(victim.join("precious"), "keep me").unwrap();
            let link = scratch.path().join("link");
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            let tracked = format!("{}{suffix}", link.display());
            let run = hostile(&["track", &tracked]).run();
            run.assert_code(0);
            runs += 1;
            emptied += usize::from(!victim.join("precious").exists());
            links_left += usize::from(exists(&link));
            last = Some(run);
        }
    }
    let mut tally = Tally::default();
    tally.add("trailing slash: target emptied", emptied, runs, last);
    tally.add("trailing slash: link left", links_left, runs, None);
    tally.check();
}

/// Item 2: a relative path was resolved at exit against the working
/// directory of then. Tracked (or created as a pid file) in `a`, after a
/// `chdir` to `b`: `a`'s is removed, `b`'s never-tracked namesake stays.
#[test]
fn a_relative_path_means_what_it_meant_when_it_was_registered() {
    let mut tally = Tally::default();
    for kind in ["temp", "pid"] {
        let name = if kind == "temp" { "build" } else { "app.pid" };
        let (mut ours_left, mut theirs_touched) = (0, 0);
        let mut last = None;
        for _ in 0..10 {
            let scratch = tempfile::tempdir().unwrap();
            let a = scratch.path().join("a");
            let b = scratch.path().join("b");
            std::fs::create_dir(&a).unwrap();
            std::fs::create_dir(&b).unwrap();
            let theirs = b.join(name);
            if kind == "temp" {
                std::fs::create_dir(&theirs).unwrap();
                std::fs::write(theirs.join("precious"), "keep me").unwrap();
            } else {
                std::fs::write(&theirs, "4242\n").unwrap();
            }
            let run = hostile(&["relative", a.to_str().unwrap(), b.to_str().unwrap(), kind])
                .json_report()
                .run();
            run.assert_code(0);
            ours_left += usize::from(exists(&a.join(name)));
            let intact = if kind == "temp" {
                theirs.join("precious").exists()
            } else {
                std::fs::read_to_string(&theirs).ok().as_deref() == Some("4242\n")
            };
            theirs_touched += usize::from(!intact);
            last = Some(run);
        }
        tally.add(format!("relative {kind}: ours left"), ours_left, 10, last);
        let what = format!("relative {kind}: the namesake in the new cwd touched");
        tally.add(what, theirs_touched, 10, None);
    }
    tally.check();
}

/// Whether `unshare -m` works here (the binary exists, and this process
/// may make a mount namespace and mount in it).
fn mount_namespaces() -> bool {
    Command::new("unshare")
        .args(["--mount", "--propagation", "private", "true"])
        .status()
        .is_ok_and(|status| status.success())
}

/// Item 3: a bind mount inside a temp dir had its contents deleted.
/// Removal stays on the temp dir's own mount: the mount point is left
/// standing, the report names it, and what is mounted there is untouched.
/// Under `unshare -m`, so the mounts vanish with the fixture's namespace:
/// a tmpfs of its own (another file system), and, where the runtime tells
/// mounts of one file system apart (Linux's mount ids; not the portable
/// path, which goes by the device number alone), a directory of the
/// test's own file system.
#[test]
fn a_mount_inside_a_temp_dir_is_left_standing_with_its_contents() {
    if !mount_namespaces() {
        eprintln!("skipped: `unshare --mount` is not available here");
        return;
    }
    let (mut deleted, mut unnamed, mut rest_left) = (0, 0, 0);
    let mut last = None;
    for _ in 0..3 {
        let scratch = tempfile::tempdir().unwrap();
        let other_fs = scratch.path().join("other-fs");
        std::fs::create_dir(&other_fs).unwrap();
        let same_fs = scratch.path().join("same-fs");
        std::fs::create_dir(&same_fs).unwrap();
        std::fs::write(same_fs.join("precious"), "keep me").unwrap();
        let mut script = String::from(
            r#"other="$1" exe="$2"
shift 2
mount -t tmpfs cleanup-test "$other" || exit 99
echo keep > "$other/precious"
"$exe" mounts "$other" "$@"
echo "fixture $?"
echo "other-fs $(cat "$other/precious")""#,
        );
        script.push('\n');
        let mut args = vec![
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            &script,
            "sh",
            other_fs.to_str().unwrap(),
            HOSTILE,
        ];
        if !common::portable() {
            args.push(same_fs.to_str().unwrap());
        }
        let run = Fixture::new("unshare", &args).json_report().run();
        assert_eq!(run.value_of("fixture "), "0", "{}", run.context());
        let dir = PathBuf::from(run.value_of("dir "));
        let mut bad = usize::from(run.value_of("other-fs ") != "keep");
        if !common::portable() {
            bad += usize::from(!same_fs.join("precious").exists());
        }
        deleted += bad;
        let report = run.report();
        let error = report["entries"][0]["error"].as_str().unwrap_or_default();
        unnamed += usize::from(!error.contains(&format!("{}", dir.join("m0").display())));
        rest_left += usize::from(dir.join("file").exists());
        let _ = std::fs::remove_dir_all(&dir);
        last = Some(run);
    }
    let mut tally = Tally::default();
    tally.add("mounts: contents deleted", deleted, 3, last);
    tally.add(
        "mounts: the mount point not named in the report",
        unnamed,
        3,
        None,
    );
    tally.add("mounts: the rest of the temp dir left", rest_left, 3, None);
    tally.check();
}

/// Item 4: the temp dir's parent swapped for a symlink after creation
/// redirected the removal to a same-named tree elsewhere. Removal goes
/// through the parent directory held since creation.
#[test]
fn a_parent_swapped_for_a_symlink_does_not_redirect_the_removal() {
    let (mut redirected, mut left) = (0, 0);
    let mut last = None;
    for _ in 0..20 {
        let scratch = tempfile::tempdir().unwrap();
        let tmp = scratch.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        let mut child = hostile(&["park-dir"])
            .env("TMPDIR", &tmp)
            .default_signal_dispositions()
            .start();
        let dir = PathBuf::from(child.wait_for_prefix("dir "));
        child.wait_for_line("ready");
        let name = dir.file_name().unwrap();
        let moved = scratch.path().join("tmp-moved");
        std::fs::rename(&tmp, &moved).unwrap();
        let elsewhere = scratch.path().join("elsewhere");
        std::fs::create_dir_all(elsewhere.join(name).join("data")).unwrap();
        std::fs::write(elsewhere.join(name).join("data/precious"), "keep me").unwrap();
        std::os::unix::fs::symlink(&elsewhere, &tmp).unwrap();
        child.signal(libc::SIGTERM);
        let run = child.finish();
        run.assert_signal(libc::SIGTERM);
        redirected += usize::from(!elsewhere.join(name).join("data/precious").exists());
        left += usize::from(exists(&moved.join(name)));
        last = Some(run);
    }
    let mut tally = Tally::default();
    tally.add("parent swap: the other tree deleted", redirected, 20, last);
    tally.add("parent swap: ours left", left, 20, None);
    tally.check();
}

/// Item 5: two paths whose names differ only in bytes that are not UTF-8
/// got one entry (a lossy name as the key), and one of them stayed.
#[test]
fn two_non_utf8_paths_are_two_entries_and_both_are_removed() {
    let (mut left, mut entries) = (0, 0);
    let mut last = None;
    for _ in 0..5 {
        let scratch = tempfile::tempdir().unwrap();
        let run = hostile(&["non-utf8", scratch.path().to_str().unwrap()])
            .json_report()
            .run();
        run.assert_code(0);
        left += names_in(scratch.path()).len();
        entries += run.report()["entries"].as_array().unwrap().len();
        last = Some(run);
    }
    let mut tally = Tally::default();
    tally.add("non-UTF-8: paths left", left, 20, last);
    tally.add("non-UTF-8: entries missing", 20 - entries.min(20), 20, None);
    tally.check();
}

/// Item 6: a release under way on another thread when `main` calls `exit`
/// was cut off or skipped. Each run starts both at once; the release runs
/// exactly once and whole, whichever side takes it. 300 runs of each
/// kind (600 of the pid file's, whose window was the narrowest: 2 to 12
/// bad runs in 300 before), three fixtures at a time.
#[test]
fn a_release_on_a_thread_racing_exit_runs_exactly_once_and_whole() {
    const AT_ONCE: usize = 3;
    let mut tally = Tally::default();
    for (kind, runs) in [("guard", 300), ("remove", 300), ("pid", 600)] {
        let outcomes: Vec<(usize, Option<Run>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..AT_ONCE)
                .map(|_| scope.spawn(move || race_runs(kind, runs / AT_ONCE)))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        let bad = outcomes.iter().map(|(bad, _)| bad).sum();
        let last = outcomes.into_iter().find_map(|(_, last)| last);
        tally.add(format!("race {kind}: bad runs"), bad, runs, last);
    }
    tally.check();
}

/// `runs` runs of `helpers_hostile race KIND`: how many went wrong, and
/// the last that did.
fn race_runs(kind: &str, runs: usize) -> (usize, Option<Run>) {
    let (mut bad, mut last) = (0, None);
    for _ in 0..runs {
        let scratch = tempfile::tempdir().unwrap();
        let run = hostile(&["race", kind, scratch.path().to_str().unwrap()]).run();
        run.assert_code(0);
        let wrong = match kind {
            "guard" => run.count("begin") != 1 || run.count("end") != 1,
            "remove" => exists(Path::new(run.value_of("dir "))),
            _ => exists(&scratch.path().join("app.pid")),
        };
        if wrong {
            bad += 1;
            last = Some(run);
        }
    }
    (bad, last)
}

/// Item 7: a temp dir that a thread keeps writing into when SIGTERM comes
/// was left behind ("Directory not empty"). The writer is a tight loop.
#[test]
fn a_temp_dir_a_thread_keeps_writing_into_is_removed_after_sigterm() {
    let mut left = 0;
    let mut last = None;
    for _ in 0..20 {
        let mut child = hostile(&["writer"]).default_signal_dispositions().start();
        let dir = PathBuf::from(child.wait_for_prefix("dir "));
        child.wait_for_line("ready");
        child.signal(libc::SIGTERM);
        let run = child.finish();
        run.assert_signal(libc::SIGTERM);
        if exists(&dir) {
            left += 1;
            let _ = std::fs::remove_dir_all(&dir);
            last = Some(run);
        }
    }
    let mut tally = Tally::default();
    tally.add("busy writer: dirs left", left, 20, last);
    tally.check();
}

/// Item 8: as an unprivileged user, a read-only subdirectory kept part of
/// the tree and a `000` one kept all of it. Run as user 65534 through
/// `setpriv`, where this test runs as root and `setpriv` exists.
#[test]
fn read_only_and_000_subdirectories_are_emptied_as_an_unprivileged_user() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: switching to another user needs root");
        return;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: `setpriv` is not installed");
        return;
    }
    let mut left = 0;
    let mut last = None;
    for _ in 0..3 {
        let scratch = tempfile::tempdir().unwrap();
        let tmp = scratch.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        std::os::unix::fs::chown(&tmp, Some(65534), Some(65534)).unwrap();
        std::fs::set_permissions(
            scratch.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let run = Fixture::new(
            "setpriv",
            &[
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                HOSTILE,
                "perms",
            ],
        )
        .env("TMPDIR", &tmp)
        .run();
        run.assert_code(0);
        let dir = PathBuf::from(run.value_of("dir "));
        if exists(&dir) {
            left += 1;
            last = Some(run);
        }
    }
    let mut tally = Tally::default();
    tally.add("permissions: trees left", left, 3, last);
    tally.check();
}

/// Item 9: a signal in the first milliseconds, while the first call into
/// the crate (`temp::dir()`) ran, left an empty temp dir: it was created
/// before its cleanup was registered and the signals armed. The signal
/// comes as soon as the fixture says it is about to make the call.
#[test]
fn a_signal_in_the_first_milliseconds_leaves_no_temp_dir() {
    const RUNS: usize = 200;
    let scratch = tempfile::tempdir().unwrap();
    let mut left = 0;
    let mut last = None;
    for _ in 0..RUNS {
        let mut child = hostile(&["early"])
            .env("TMPDIR", scratch.path())
            .default_signal_dispositions()
            .start();
        child.wait_for_line("go");
        child.signal(libc::SIGTERM);
        let run = child.finish();
        run.assert_signal(libc::SIGTERM);
        let names = names_in(scratch.path());
        if !names.is_empty() {
            left += 1;
            for name in names {
                let _ = std::fs::remove_dir_all(scratch.path().join(name));
            }
            last = Some(run);
        }
    }
    let mut tally = Tally::default();
    tally.add("first milliseconds: dirs left", left, RUNS, last);
    tally.check();
}
