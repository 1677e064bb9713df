//! The helpers keep their promises on every way a process ends: temp paths
//! removed (never through a symlink), the pid file's lock, refusal and
//! removal rules, buffered lines flushed by `drop_at_exit`, a
//! `ResourceGuard` released exactly once, all in LIFO order with the rest.
//! Each test runs the `helpers` fixture; signal tests wait for its `ready`
//! line before signalling it.

mod common;

use std::path::{Path, PathBuf};

use common::{Fixture, Run, Started, entry};

const HELPERS: &str = env!("CARGO_BIN_EXE_helpers");

fn helpers(args: &[&str]) -> Fixture {
    Fixture::new(HELPERS, args)
}

/// Starts `fixture` with default signal dispositions and waits for `ready`.
fn start_ready(fixture: Fixture) -> Started {
    let mut child = fixture.default_signal_dispositions().start();
    child.wait_for_line("ready");
    child
}

/// Sends SIGTERM and checks the process died by it.
#[track_caller]
fn terminate(child: Started) -> Run {
    child.signal(libc::SIGTERM);
    let run = child.finish();
    run.assert_signal(libc::SIGTERM);
    run
}

#[track_caller]
fn assert_gone(path: &Path, run: &Run) {
    assert!(
        std::fs::symlink_metadata(path).is_err(),
        "{} still exists\n{}",
        path.display(),
        run.context()
    );
}

// ---- temp ----

/// The paths the `temp` scenario reported, plus the tracked one.
fn temp_paths(run: &Run, tracked: &Path) -> [PathBuf; 3] {
    [
        PathBuf::from(run.value_of("dir ")),
        PathBuf::from(run.value_of("file ")),
        tracked.to_owned(),
    ]
}

#[test]
fn temp_paths_are_gone_after_return_and_process_exit() {
    for how in ["return", "exit"] {
        let scratch = tempfile::tempdir().unwrap();
        let tracked = scratch.path().join("tracked.txt");
        let run = helpers(&["temp", tracked.to_str().unwrap(), how])
            .json_report()
            .run();
        run.assert_code(0);
        for path in temp_paths(&run, &tracked) {
            assert_gone(&path, &run);
        }
        let report = run.report();
        let names = common::names(&report["entries"]);
        assert_eq!(names.len(), 3, "{}", run.context());
        assert!(
            names.iter().all(|name| name.starts_with("temp: /")),
            "{}",
            run.context()
        );
    }
}

#[test]
fn temp_paths_are_gone_after_sigterm() {
    let scratch = tempfile::tempdir().unwrap();
    let tracked = scratch.path().join("tracked.txt");
    let mut child = helpers(&["temp", tracked.to_str().unwrap(), "park"])
        .default_signal_dispositions()
        .start();
    let dir = PathBuf::from(child.wait_for_prefix("dir "));
    child.wait_for_line("ready");
    assert!(
        dir.join("nested/data").exists(),
        "created before the signal"
    );
    let run = terminate(child);
    for path in temp_paths(&run, &tracked) {
        assert_gone(&path, &run);
    }
}

#[test]
fn a_tracked_symlink_is_removed_without_touching_its_target() {
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("outside");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("precious"), "keep me").unwrap();
    let link = scratch.path().join("link");
    let run = helpers(&[
        "temp-symlink",
        link.to_str().unwrap(),
        target.to_str().unwrap(),
    ])
    .run();
    run.assert_code(0);
    assert_gone(&link, &run);
    assert_gone(Path::new(run.value_of("dir ")), &run);
    assert_eq!(
        std::fs::read_to_string(target.join("precious"))
            .ok()
            .as_deref(),
        Some("keep me"),
        "the target and its content are left alone\n{}",
        run.context()
    );
}

// ---- pid file ----

#[test]
fn a_second_instance_is_refused_naming_the_owner_and_sigterm_removes_the_file() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("app.pid");
    let p = path.to_str().unwrap();
    let mut owner = helpers(&["pidfile", p, "park"])
        .default_signal_dispositions()
        .start();
    let owner_pid = owner.wait_for_prefix("pid ");
    owner.wait_for_line("ready");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{owner_pid}\n"),
        "the pid file holds the owner's pid"
    );

    let second = helpers(&["pidfile-try", p]).run();
    second.assert_code(1);
    assert_eq!(
        second.value_of("refused "),
        owner_pid,
        "{}",
        second.context()
    );
    assert!(
        second.value_of("error ").contains(&owner_pid),
        "the message names the owner's pid\n{}",
        second.context()
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("{owner_pid}\n"),
        "the refused instance leaves the file alone"
    );

    let run = terminate(owner);
    assert_gone(&path, &run);
}

#[test]
fn the_pid_file_is_removed_after_return_and_process_exit() {
    for how in ["return", "exit"] {
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("app.pid");
        let run = helpers(&["pidfile", path.to_str().unwrap(), how]).run();
        run.assert_code(0);
        assert_gone(&path, &run);
    }
}

#[test]
fn a_stale_pid_file_is_taken_over_even_if_its_pid_is_alive() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("app.pid");
    // Our own pid: alive, but nobody holds the lock, so the file is stale.
    std::fs::write(&path, format!("{}\n", std::process::id())).unwrap();
    let run = helpers(&["pidfile-try", path.to_str().unwrap()]).run();
    run.assert_code(0);
    assert_eq!(run.count("created"), 1, "{}", run.context());
    let content = run.value_of("content ");
    assert_ne!(content, std::process::id().to_string(), "{}", run.context());
    assert!(content.parse::<u32>().is_ok(), "{}", run.context());
    assert_gone(&path, &run);
}

#[test]
fn a_pid_file_rewritten_by_someone_else_is_left_in_place_and_reported() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("app.pid");
    let run = helpers(&["pidfile-rewrite", path.to_str().unwrap()])
        .json_report()
        .run();
    run.assert_code(0);
    assert_eq!(
        std::fs::read_to_string(&path).ok().as_deref(),
        Some("12345\n"),
        "{}",
        run.context()
    );
    let report = run.report();
    let pid_entry = entry(&report, &format!("pid file: {}", path.display()));
    assert_eq!(pid_entry["status"], "error", "{}", run.context());
    assert!(
        pid_entry["error"].as_str().unwrap().contains("12345"),
        "{}",
        run.context()
    );
}

#[test]
fn a_forked_child_leaves_its_parents_pid_file_and_temp_dir() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("app.pid");
    let run = helpers(&["pidfile-fork", path.to_str().unwrap()]).run();
    run.assert_code(0);
    assert_eq!(
        run.value_of("after child: "),
        "pid file true, dir true",
        "{}",
        run.context()
    );
    assert_gone(&path, &run);
}

// ---- drop_at_exit ----

#[test]
fn every_buffered_line_reaches_the_file_after_process_exit() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("out.log");
    let run = helpers(&["bufwriter", path.to_str().unwrap(), "exit"]).run();
    run.assert_code(0);
    assert_all_lines(&path, &run);
}

#[test]
fn every_buffered_line_reaches_the_file_after_sigterm() {
    let scratch = tempfile::tempdir().unwrap();
    let path = scratch.path().join("out.log");
    let child = start_ready(helpers(&["bufwriter", path.to_str().unwrap(), "park"]));
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        0,
        "all lines are still in the buffer before the signal"
    );
    let run = terminate(child);
    assert_all_lines(&path, &run);
}

#[track_caller]
fn assert_all_lines(path: &Path, run: &Run) {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10_000, "{}", run.context());
    assert_eq!(lines[0], "line 0");
    assert_eq!(lines[9_999], "line 9999");
}

// ---- ResourceGuard ----

#[test]
fn a_guard_is_released_exactly_once_whichever_path_comes_first() {
    for how in ["release", "drop", "return", "exit"] {
        let run = helpers(&["guard", how]).json_report().run();
        run.assert_code(0);
        assert_eq!(run.ran(), ["release"], "{how}\n{}", run.context());
        let at_exit = run.report()["entries"].as_array().unwrap().len();
        let expected = usize::from(how == "exit");
        assert_eq!(at_exit, expected, "{how}\n{}", run.context());
    }
    let run = terminate(start_ready(helpers(&["guard", "park"])));
    assert_eq!(run.ran(), ["release"], "park\n{}", run.context());
}

#[test]
fn a_failing_release_is_reported_like_any_cleanup() {
    for (how, status, error) in [
        ("fail-exit", "error", "lease lost"),
        ("panic-exit", "panic", "lease release panicked"),
    ] {
        let run = helpers(&["guard", how]).json_report().run();
        run.assert_code(0);
        assert_eq!(run.ran(), ["release"], "{how}\n{}", run.context());
        let report = run.report();
        let released = &report["entries"][0];
        assert_eq!(released["status"], status, "{how}\n{}", run.context());
        assert_eq!(released["error"], error, "{how}\n{}", run.context());
        assert!(
            released["source"]
                .as_str()
                .unwrap()
                .contains("src/bin/helpers.rs:"),
            "the guard's own file:line\n{}",
            run.context()
        );
    }
    let run = helpers(&["guard", "fail-drop"]).run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["release"], "{}", run.context());
    assert!(
        run.stderr.contains("lease lost"),
        "a failure on drop goes to stderr\n{}",
        run.context()
    );
}

// ---- order ----

#[test]
fn helpers_run_in_lifo_order_with_the_other_cleanups() {
    let run = helpers(&["order"]).run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["last", "guard", "kept", "first"],
        "{}",
        run.context()
    );
}
