//! Registrations that race the run at exit, and a cleanup that forks:
//! threads that never stop registering, cleanups registered after the run
//! is over (an earlier `atexit` handler, a thread racing the end), and a
//! child forked during the run.

mod common;

use common::{Fixture, Run, names};
use serde_json::Value;

const HARDENING: &str = env!("CARGO_BIN_EXE_hardening");
const LATE_REGISTRATION: &str = env!("CARGO_BIN_EXE_late_registration");

/// The `source` of each of a JSON report's entries, in order.
fn sources(report: &Value) -> Vec<&str> {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["source"].as_str().expect("a source string"))
        .collect()
}

/// The `file:line` of a static of the hardening fixture, as the report
/// gives it.
fn static_source(run: &Run, name: &str) -> String {
    let report = run.report();
    let entry = common::entry(&report, &format!("hardening::{name}"));
    entry["source"]
        .as_str()
        .expect("a source string")
        .to_owned()
}

/// The fixture's lines, without its `registered ...` lines.
fn story(run: &Run) -> Vec<&str> {
    run.out()
        .lines()
        .filter(|line| !line.starts_with("registered "))
        .collect()
}

/// The fixture's threads that add cleanups in a loop (`producers`).
const PRODUCERS: usize = 4;

#[test]
fn threads_that_never_stop_registering_cannot_hold_the_exit() {
    // Before the fix the run always took the producers' newest entry and
    // never ended (the hang guard kills it, or the allocator gives up).
    let run = Fixture::new(HARDENING, &["producers"]).json_report().run();
    run.assert_code(5);
    for name in ["pre-1", "pre-2", "static-first", "static-second"] {
        assert_eq!(
            run.count(&format!("ran {name}")),
            1,
            "{name}\n{}",
            run.context()
        );
    }
    assert_eq!(
        run.ran(),
        ["pre-2", "pre-1", "static-second", "static-first"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert_eq!(
        report["status"],
        common::reported_status(5),
        "{}",
        run.context()
    );
    let sources = sources(&report);
    let expected_tail = [
        run.registered("pre-2").1,
        run.registered("pre-1").1,
        static_source(&run, "static_second"),
        static_source(&run, "static_first"),
    ];
    // The pending cleanups run once each, in LIFO order, after every
    // producer entry that was pending when the run began. A producer that
    // was between two registrations then adds one more entry (its last: it
    // is parked) which runs next, so up to one per producer thread may fall
    // among them when that thread was slow to get there.
    let pending: Vec<&str> = sources
        .iter()
        .copied()
        .filter(|source| expected_tail.iter().any(|expected| expected == source))
        .collect();
    assert_eq!(
        pending,
        expected_tail.each_ref().map(String::as_str),
        "the pending cleanups run once each, last first\n{}",
        run.stderr
    );
    let first_pending = sources
        .iter()
        .position(|source| *source == expected_tail[0])
        .expect("pre-2 ran");
    let late = sources.len() - first_pending - expected_tail.len();
    assert!(
        late <= PRODUCERS,
        "at most one late entry per producer, not {late}: {:?}\n{}",
        &sources[first_pending..],
        run.stderr
    );
    let failed: Vec<_> = report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["status"] != "ok")
        .collect();
    assert!(failed.is_empty(), "{failed:?}\n{}", run.stderr);
    assert!(report["pending"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn a_cleanup_registered_by_an_earlier_atexit_handler_runs_with_a_line_on_stderr() {
    let run = Fixture::new(LATE_REGISTRATION, &["earlier-atexit"])
        .json_report()
        .run();
    run.assert_code(3);
    assert_eq!(
        story(&run),
        [
            "ran b",
            "ran a",
            "late handler",
            "ran late",
            "register returned"
        ],
        "{}",
        run.context()
    );
    let lines: Vec<_> = run
        .stderr_lines()
        .into_iter()
        .filter(|line| line.contains("registered after the cleanups at exit had run"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", run.context());
    assert!(
        lines[0].starts_with("cleanup: ") && lines[0].contains("late_handler"),
        "the line names the late cleanup\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        report["status"],
        common::reported_status(3),
        "{}",
        run.context()
    );
    assert_eq!(names(&report["entries"]).len(), 2, "{}", run.context());
}

#[test]
fn an_earlier_atexit_handler_registering_the_first_cleanup_gets_a_whole_run() {
    // The first registration installs the exit handler while the C library
    // is running its handlers: glibc runs the new one too.
    let run = Fixture::new(LATE_REGISTRATION, &["earlier-atexit-only"])
        .json_report()
        .run();
    run.assert_code(3);
    assert_eq!(run.count("ran late"), 1, "{}", run.context());
    let report = run.report();
    assert_eq!(
        report["status"],
        common::reported_status(3),
        "{}",
        run.context()
    );
    assert_eq!(names(&report["entries"]).len(), 1, "{}", run.context());
}

#[test]
fn a_thread_registering_after_the_run_is_over_runs_its_cleanup_at_once() {
    let run = Fixture::new(LATE_REGISTRATION, &["racing-thread"])
        .json_report()
        .run();
    run.assert_code(4);
    assert_eq!(
        story(&run),
        [
            "ran a",
            "releasing the thread",
            "ran late-from-thread",
            "thread's register returned",
            "the thread is done"
        ],
        "{}",
        run.context()
    );
    assert_eq!(
        run.stderr_lines()
            .iter()
            .filter(|line| line.contains("registered after the cleanups at exit had run"))
            .count(),
        1,
        "{}",
        run.context()
    );
    assert_eq!(
        run.report()["status"],
        common::reported_status(4),
        "{}",
        run.context()
    );
}

#[test]
fn a_child_forked_by_a_cleanup_keeps_out_of_its_parents_final_run() {
    // Before the fix, the child took up the parent's run where its fork
    // left it: its exit completed the parent's record and wrote it as the
    // child's report.
    let fixture = Fixture::new(HARDENING, &["fork-in-cleanup"]).json_report();
    let child_report = fixture.temp_path("child.json");
    let run = fixture.env("CHILD_REPORT", &child_report).run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        [
            "first",
            "forker",
            "child-own",
            "last",
            "static-second",
            "static-first"
        ],
        "each cleanup runs once, the parent's in the parent\n{}",
        run.context()
    );
    assert!(
        run.position("ran child-own") < run.position("child exited 7")
            && run.position("child exited 7") < run.position("ran last"),
        "{}",
        run.context()
    );
    let parent = run.report();
    let mut parent_sources = sources(&parent);
    assert_eq!(parent["entries"][1]["name"], "forker", "{}", run.context());
    parent_sources.remove(1);
    assert_eq!(
        parent_sources,
        [
            run.registered("first").1,
            run.registered("last").1,
            static_source(&run, "static_second"),
            static_source(&run, "static_first"),
        ],
        "the parent's report is whole\n{}",
        run.context()
    );
    let child_text = std::fs::read_to_string(&child_report)
        .unwrap_or_else(|error| panic!("no child report: {error}\n{}", run.context()));
    let child: Value = serde_json::from_str(&child_text).expect("the child's report is JSON");
    assert_eq!(
        sources(&child),
        [run.registered("child-own").1],
        "the child reports its own cleanup only\n{child_text}\n{}",
        run.context()
    );
    assert_eq!(child["status"], common::reported_status(7), "{child_text}");
}

#[test]
fn a_cleanup_with_a_timeout_that_registers_gets_its_registration_run() {
    let run = Fixture::new(HARDENING, &["timed-registers"]).run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["outer", "inner", "static-second", "static-first"],
        "{}",
        run.context()
    );
}

#[test]
fn a_cleanup_joining_a_thread_that_registers_is_ended_by_the_deadline() {
    // The documented cost of parking: the registering thread never returns,
    // so the join does not either; the deadline ends the run.
    let run = Fixture::new(HARDENING, &["join-registering-thread"])
        .json_report()
        .env("CLEANUP_DEADLINE", "1s")
        .run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["joiner"], "{}", run.context());
    assert_eq!(
        run.count("the thread's register returned"),
        0,
        "{}",
        run.context()
    );
    let report = run.report();
    let statuses: Vec<_> = report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["status"].as_str().expect("a status"))
        .collect();
    assert_eq!(
        statuses,
        ["timeout", "skipped", "skipped", "skipped"],
        "the joiner, the thread's cleanup (added before it was parked), the statics\n{}",
        run.context()
    );
    assert_eq!(
        report["entries"][1]["name"],
        "joined-thread's",
        "{}",
        run.context()
    );
}
