//! Every way a process ends runs the cleanups exactly once and keeps the
//! status it was ending with: `std::process::exit` and
//! `cleanup_runtime::exit` from `main` or another thread, a panic out of
//! `main`, eight threads exiting at once, `run_now` before the end, forty
//! thousand registrations, a library's static cleanup in a program that
//! never calls the runtime, and a hung cleanup cut off by
//! `CLEANUP_DEADLINE`. Also `report()` while cleanups are pending.

mod common;

use common::{Fixture, LIB_ONLY, entry, names};

#[test]
fn std_process_exit_from_main_runs_cleanups_and_keeps_the_code() {
    let run = Fixture::scenario(&["exit-main"]).json_report().run();
    run.assert_code(7);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert_eq!(run.count("main returns"), 0, "{}", run.context());
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert_eq!(
        report["status"],
        common::reported_status(7),
        "{}",
        run.context()
    );
}

/// Runs `scenario`, where a thread other than main ends the process with
/// `code`: the cleanups run, main never resumes, and the code is kept.
#[track_caller]
/// `cleanup_runtime::exit` passes its code to the run itself, so the report
/// has it on every platform; `std::process::exit`'s reaches it only where
/// the exit hook is told (glibc).
fn exit_from_another_thread(scenario: &str, code: i32, by_cleanup_runtime: bool) {
    let run = Fixture::scenario(&[scenario]).json_report().run();
    run.assert_code(code);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert_eq!(
        run.count("main resumed after the exiting thread"),
        0,
        "{}",
        run.context()
    );
    let reported = match by_cleanup_runtime {
        true => code.into(),
        false => common::reported_status(code),
    };
    assert_eq!(run.report()["status"], reported, "{}", run.context());
}

#[test]
fn std_process_exit_from_another_thread_runs_cleanups_and_keeps_the_code() {
    exit_from_another_thread("exit-thread", 9, false);
}

#[test]
fn a_panic_out_of_main_exits_101_and_runs_cleanups() {
    let run = Fixture::scenario(&["panic-main"]).json_report().run();
    run.assert_code(101);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    assert!(
        run.stderr.contains("boom in main"),
        "std's panic message reaches stderr\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        report["status"],
        common::reported_status(101),
        "{}",
        run.context()
    );
    assert!(
        report["trigger"] == "panic" || report["trigger"] == "exit",
        "trigger {}\n{}",
        report["trigger"],
        run.context()
    );
    if common::portable() {
        // `atexit` does not give the status, so 101 after a panic on the
        // main thread cannot be told from an `exit(101)`: reported as an
        // exit (PORTABILITY.md).
        assert_eq!(report["trigger"], "exit", "{}", run.context());
    }
}

#[test]
fn cleanup_runtime_exit_from_main_runs_cleanups_and_ends_with_the_code() {
    let run = Fixture::scenario(&["cr-exit-main"]).json_report().run();
    run.assert_code(4);
    assert_eq!(run.ran(), ["b", "a"], "{}", run.context());
    // Known on every platform: `exit` hands it to the run.
    assert_eq!(run.report()["status"], 4, "{}", run.context());
}

#[test]
fn cleanup_runtime_exit_from_another_thread_runs_cleanups_and_ends_with_the_code() {
    exit_from_another_thread("cr-exit-thread", 5, true);
}

#[test]
fn run_now_runs_each_cleanup_once_and_later_registrations_run_at_exit() {
    let run = Fixture::scenario(&["run-now"]).json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["b", "a", "c"],
        "b and a once (by run_now), c once at exit\n{}",
        run.context()
    );
    assert_eq!(run.ran_after("main returns"), ["c"], "{}", run.context());

    let manual = run.json_of("run_now: ");
    assert_eq!(manual["trigger"], "manual", "{}", run.context());
    assert!(manual["status"].is_null(), "{}", run.context());
    assert!(manual["signal"].is_null(), "{}", run.context());
    let sequences: Vec<_> = manual["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["sequence"].as_u64(), e["status"].as_str()))
        .collect();
    assert_eq!(
        sequences,
        [
            (Some(run.registered("b").0), Some("ok")),
            (Some(run.registered("a").0), Some("ok")),
        ],
        "{}",
        run.context()
    );
    assert_eq!(
        manual["pending"],
        serde_json::json!([]),
        "{}",
        run.context()
    );

    let again = run.json_of("run_now again: ");
    assert_eq!(
        again["entries"],
        serde_json::json!([]),
        "nothing runs twice\n{}",
        run.context()
    );

    let at_exit = run.report();
    let c = run.registered("c").0;
    let last = at_exit["entries"]
        .as_array()
        .and_then(|entries| entries.last())
        .unwrap_or_else(|| panic!("no entries at exit\n{}", run.context()));
    assert_eq!(last["sequence"], c, "{}", run.context());
    assert_eq!(last["status"], "ok", "{}", run.context());
}

#[test]
fn eight_threads_calling_exit_at_once_run_each_cleanup_once() {
    let run = Fixture::scenario(&["threads-exit"]).json_report().run();
    let code = run.status.code();
    assert!(
        code.is_some_and(|code| (20..28).contains(&code)),
        "the status is one of the exiting threads' codes\n{}",
        run.context()
    );
    assert_eq!(run.ran(), ["two", "one"], "{}", run.context());
    assert_eq!(
        run.count("main resumed after the exiting threads"),
        0,
        "{}",
        run.context()
    );
    assert_eq!(
        run.report()["status"],
        code.map_or(serde_json::Value::Null, common::reported_status),
        "the report gives the status the process ended with\n{}",
        run.context()
    );
}

#[test]
fn forty_thousand_cleanups_registered_from_four_threads_all_run() {
    let run = Fixture::scenario(&["many"]).run();
    run.assert_code(0);
    assert_eq!(run.value_of("registered "), "40000", "{}", run.context());
    assert_eq!(
        run.value_of("count "),
        "40000",
        "the first-registered cleanup runs last and sees every other one done\n{}",
        run.context()
    );
    assert_eq!(
        run.stderr,
        "",
        "no failures, nothing on stderr\n{}",
        run.context()
    );
}

#[test]
fn a_library_static_cleanup_runs_in_a_program_that_never_calls_the_runtime() {
    let run = Fixture::new(LIB_ONLY, &[]).json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        ["fixture-lib: linked", "fixture-lib: cleanup ran"],
        "{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        names(&report["entries"]),
        ["fixture_lib::lib_cleanup"],
        "{}",
        run.context()
    );
    let lib_cleanup = entry(&report, "fixture_lib::lib_cleanup");
    assert_eq!(lib_cleanup["status"], "ok", "{}", run.context());
    assert_eq!(lib_cleanup["sequence"], 0, "{}", run.context());
    assert!(
        lib_cleanup["source"]
            .as_str()
            .is_some_and(|source| source.contains("fixture-lib/src/lib.rs:")),
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        common::reported_status(0),
        "{}",
        run.context()
    );
}

#[test]
fn a_library_static_cleanup_runs_on_std_process_exit_too() {
    let run = Fixture::new(LIB_ONLY, &["exit"]).run();
    run.assert_code(5);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        ["fixture-lib: linked", "fixture-lib: cleanup ran"],
        "{}",
        run.context()
    );
}

#[test]
fn report_during_main_lists_the_pending_cleanups_in_run_order() {
    let run = Fixture::scenario(&["report-pending"]).run();
    run.assert_code(0);
    let report = run.json_of("report: ");
    assert_eq!(
        report["entries"],
        serde_json::json!([]),
        "nothing ran yet\n{}",
        run.context()
    );
    let pending = report["pending"].as_array().expect("pending");
    let seen: Vec<_> = pending
        .iter()
        .map(|p| (p["sequence"].as_u64(), p["source"].as_str()))
        .collect();
    let expected: Vec<_> = ["close-db", "a"]
        .iter()
        .map(|name| run.registered(name))
        .collect();
    let expected: Vec<_> = expected
        .iter()
        .map(|(sequence, source)| (Some(*sequence), Some(source.as_str())))
        .collect();
    assert_eq!(seen, expected, "{}", run.context());
    assert_eq!(pending[0]["name"], "close-db", "{}", run.context());
    assert_eq!(
        run.ran_after("main returns"),
        ["close-db", "a"],
        "pending cleanups still run at exit\n{}",
        run.context()
    );
}

/// Where the exit hook is not told the status (`atexit`: everywhere but
/// glibc), `cleanup_runtime::exit` hands it to the run, so a deadline that
/// ends the process keeps it (it ended with 0 there: a failing program
/// reporting success).
#[test]
fn the_deadline_keeps_the_code_given_to_cleanup_runtime_exit_on_every_platform() {
    let run = Fixture::scenario(&["hung-cr-exit"])
        .env("CLEANUP_DEADLINE", "1s")
        .json_report()
        .run();
    run.assert_code(3);
    assert_eq!(run.ran(), ["last", "hung"], "{}", run.context());
    assert_eq!(run.report()["status"], 3, "{}", run.context());
}

#[test]
fn a_hung_cleanup_is_cut_off_by_the_deadline_and_the_rest_are_skipped() {
    let run = Fixture::scenario(&["hung"])
        .env("CLEANUP_DEADLINE", "1s")
        .json_report()
        .run();
    run.assert_code(common::code_when_the_runtime_ends_the_exit(3));
    assert_eq!(run.ran(), ["last", "hung"], "{}", run.context());
    let report = run.report();
    let statuses: Vec<_> = report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["sequence"].as_u64(), e["status"].as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            (Some(2), Some("ok")),
            (Some(1), Some("timeout")),
            (Some(0), Some("skipped")),
        ],
        "{}",
        run.context()
    );
    assert_eq!(
        report["status"],
        common::reported_status(3),
        "{}",
        run.context()
    );
}
