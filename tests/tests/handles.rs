//! What a `Handle` and a `Cleanup` promise, checked in real processes: a
//! registration with options is one step, however an exit races it; and
//! `Handle::run` runs that one cleanup, once, as the run at exit would.

mod common;

use common::Fixture;

const HANDLES: &str = env!("CARGO_BIN_EXE_handles");

fn handles(scenario: &str) -> Fixture {
    Fixture::new(HANDLES, &[scenario]).json_report()
}

/// Each round is one process whose exit meets a thread in the middle of
/// registering cleanups ordered `after("anchor")`. Not a timing check:
/// every round must hold, and many rounds give the race many chances
/// (with the constraint given in a second step, most rounds failed).
#[test]
fn an_exit_racing_a_registration_never_runs_it_without_its_constraint() {
    for round in 0..200 {
        let run = handles("racing-exit").run();
        run.assert_code(0);
        assert!(
            !run.out().contains("unconstrained"),
            "round {round}: a dependent ran before \"anchor\"\n{}",
            run.context()
        );
        assert_eq!(
            run.count("ran anchor"),
            1,
            "round {round}\n{}",
            run.context()
        );
        let report = run.report();
        let names = common::names(&report["entries"]);
        let anchor = names.iter().position(|name| *name == "anchor");
        assert!(anchor.is_some(), "round {round}\n{}", run.context());
    }
}

#[test]
fn handle_run_runs_that_one_cleanup_once_as_the_exit_would() {
    let run = handles("run-one").run();
    run.assert_code(0);
    let lines: Vec<&str> = run
        .out()
        .lines()
        .filter(|line| !line.starts_with("ran "))
        .collect();
    assert_eq!(
        lines,
        [
            "entry ok ok -",
            "entry ok-again none",
            "entry error error disk full",
            "entry panics panic boom",
            "entry hangs timeout still running after its timeout of 50ms",
            "entry taken-back none",
            "stays pending true",
            "ok pending false",
            "history ok error panics hangs",
            "main returns",
        ],
        "{}",
        run.context()
    );
    assert_eq!(
        run.ran(),
        ["ok", "error", "panics", "hangs", "stays"],
        "each ran once; the one taken back never; the rest at exit\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        common::names(&report["entries"]),
        ["stays"],
        "the run at exit ran only what was still pending\n{}",
        run.context()
    );
}

#[test]
fn handle_run_inside_the_run_at_exit_is_in_the_report_at_exit() {
    let run = handles("run-during-exit").run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["outer", "inner"], "{}", run.context());
    assert!(run.out().contains("entry inner ok -"), "{}", run.context());
    let report = run.report();
    let mut names = common::names(&report["entries"]);
    names.sort_unstable();
    assert_eq!(names, ["inner", "outer"], "each once\n{}", run.context());
}

/// `set_report` is `CLEANUP_REPORT` from the program: used when the
/// variable is unset, and the variable wins when it is set.
#[test]
fn set_report_chooses_the_report_and_the_variable_wins() {
    let fixture = Fixture::new(HANDLES, &[]);
    let path = fixture.temp_path("program.json");
    let run = Fixture::new(HANDLES, &["set-report", path.to_str().unwrap()]).run();
    run.assert_code(0);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}\n{}", run.context()));
    let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        common::names(&report["entries"]),
        ["reported"],
        "{}",
        run.context()
    );

    let overridden = fixture.temp_path("overridden.json");
    let run = Fixture::new(HANDLES, &["set-report", overridden.to_str().unwrap()])
        .env("CLEANUP_REPORT", "off")
        .run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["reported"], "{}", run.context());
    assert!(
        !overridden.exists(),
        "CLEANUP_REPORT=off wins\n{}",
        run.context()
    );
}

/// A named registration that replaces another crate's cleanup of that
/// name warns (stderr and report); replacing one's own says nothing.
#[test]
fn replacing_another_crates_named_cleanup_warns_once() {
    let run = Fixture::new(env!("CARGO_BIN_EXE_replace_across"), &[])
        .json_report()
        .run();
    run.assert_code(0);
    let ran = run.ran();
    assert!(
        ran.contains(&"app-pool") && ran.contains(&"mine-2") && !ran.contains(&"mine-1"),
        "{}",
        run.context()
    );
    let report = run.report();
    // pool-lib's own statics may add warnings of their own.
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|warning| warning.as_str())
        .filter(|warning| warning.contains("was replaced"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.context());
    let warning = warnings[0];
    assert!(
        warning.starts_with("\"lib-pool\" (tests/pool-lib/src/lib.rs:")
            && warning.contains("was replaced by a registration of the same name in another crate (tests/src/bin/replace_across.rs:"),
        "{}",
        run.context()
    );
    let lines = run.stderr_lines();
    let said: Vec<_> = lines
        .iter()
        .filter(|line| line.contains("was replaced"))
        .collect();
    assert_eq!(said.len(), 1, "{}", run.context());
}

/// A closure registered in `#[tokio::main]` is named after its function,
/// not "closure in closure in ..." (the macro's async block).
#[test]
fn a_closure_registered_in_tokio_main_is_named_after_its_function() {
    let run = handles("tokio-main").run();
    run.assert_code(0);
    let report = run.report();
    assert_eq!(
        common::names(&report["entries"]),
        ["closure in handles::tokio_main"],
        "{}",
        run.context()
    );
}
