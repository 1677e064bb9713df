//! The order cleanups run in, and the API that changes what is pending:
//! LIFO, the fixed order of statics, named replacement, unregistering and
//! `clear`. Each test runs a fixture to its end and checks the `ran NAME`
//! lines it printed and the JSON report it wrote.

mod common;

use common::{Fixture, Run, entry, names};
use serde_json::Value;

/// The `statics` fixture's static cleanups in the order they must run
/// (highest sequence first): `(what it prints, its report name, sequence)`.
const STATICS_RUN_ORDER: [(&str, &str, u64); 8] = [
    ("beta_second", "statics::beta::beta_second", 7),
    ("beta_first", "statics::beta::beta_first", 6),
    ("alpha_second", "statics::alpha::alpha_second", 5),
    ("alpha_first", "statics::alpha::alpha_first", 4),
    ("root_aa", "statics::root_aa", 3),
    ("static-named", "static-named", 2),
    ("root_mm", "statics::root_mm", 1),
    ("root_zz", "statics::root_zz", 0),
];

fn statics_printed() -> Vec<&'static str> {
    STATICS_RUN_ORDER.iter().map(|(ran, _, _)| *ran).collect()
}

/// The entries of `report` whose names are those of the statics, with
/// their sequence numbers, in run order.
fn static_entries(report: &Value) -> Vec<(&str, u64)> {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| {
            STATICS_RUN_ORDER
                .iter()
                .any(|(_, name, _)| e["name"] == *name)
        })
        .map(|e| {
            let name = e["name"].as_str().expect("name");
            (name, e["sequence"].as_u64().expect("sequence"))
        })
        .collect()
}

/// Asserts the report's sequences strictly decrease along the run.
#[track_caller]
fn assert_sequences_decrease(run: &Run, report: &Value) {
    let sequences: Vec<u64> = report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["sequence"].as_u64().expect("sequence"))
        .collect();
    assert!(
        sequences.windows(2).all(|pair| pair[0] > pair[1]),
        "sequences must strictly decrease in run order: {sequences:?}\n{}",
        run.context()
    );
}

#[test]
fn run_time_cleanups_run_last_registered_first_after_main_returns() {
    let run = Fixture::scenario(&["lifo"]).json_report().run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["c", "b", "a"], "{}", run.context());
    assert_eq!(
        run.ran_after("main returns"),
        ["c", "b", "a"],
        "they run after main returns\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(report["trigger"], "exit", "{}", run.context());
    assert_eq!(
        report["status"],
        common::reported_status(0),
        "{}",
        run.context()
    );
    let sequences: Vec<u64> = ["c", "b", "a"]
        .iter()
        .map(|name| run.registered(name).0)
        .collect();
    assert_eq!(
        sequences,
        [2, 1, 0],
        "no statics: run-time sequences start at 0\n{}",
        run.context()
    );
    let reported: Vec<u64> = report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["sequence"].as_u64().expect("sequence"))
        .collect();
    assert_eq!(reported, sequences, "{}", run.context());
}

#[test]
fn statics_run_after_run_time_ones_in_reverse_module_path_then_source_order() {
    let run = Fixture::statics("plain").json_report().run();
    run.assert_code(0);
    let mut expected = vec!["rt-2", "rt-1"];
    expected.extend(statics_printed());
    assert_eq!(run.ran(), expected, "{}", run.context());
    assert_eq!(
        run.registered("rt-1").0,
        8,
        "run-time sequences follow the 8 statics\n{}",
        run.context()
    );
    assert_eq!(run.registered("rt-2").0, 9, "{}", run.context());

    let report = run.report();
    let expected: Vec<(&str, u64)> = STATICS_RUN_ORDER
        .iter()
        .map(|(_, name, sequence)| (*name, *sequence))
        .collect();
    assert_eq!(static_entries(&report), expected, "{}", run.context());
    assert_eq!(
        report["entries"].as_array().map(Vec::len),
        Some(10),
        "{}",
        run.context()
    );
    assert_sequences_decrease(&run, &report);
    let alpha_first = entry(&report, "statics::alpha::alpha_first");
    let source = alpha_first["source"].as_str().expect("source");
    assert!(
        source.starts_with("tests/src/bin/statics.rs:"),
        "a static's source is its declaration: {source}\n{}",
        run.context()
    );
}

#[test]
fn a_static_cleanup_function_can_still_be_called_and_still_runs_once_at_exit() {
    let run = Fixture::statics("direct").run();
    run.assert_code(0);
    let mut expected = vec!["alpha_second", "static-named"];
    expected.extend(statics_printed());
    assert_eq!(run.ran(), expected, "{}", run.context());
    assert_eq!(
        run.ran_after("main returns"),
        statics_printed(),
        "each static runs once at exit, called before or not\n{}",
        run.context()
    );
}

#[test]
fn a_named_run_time_replacement_keeps_the_slot_and_stales_the_old_handle() {
    let run = Fixture::scenario(&["replace"]).json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.ran(),
        ["after", "slot-new", "before"],
        "the replacement runs in the old entry's place, the old one never\n{}",
        run.context()
    );
    let sequences = run.value_of("sequences ");
    let (old, new) = sequences.split_once(' ').expect("old= new=");
    assert_eq!(
        old.strip_prefix("old="),
        new.strip_prefix("new="),
        "the replacement keeps the sequence\n{}",
        run.context()
    );
    assert_eq!(
        run.value_of("stale handle unregister: "),
        "false",
        "a replaced entry's handle is stale\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        report["entries"].as_array().map(Vec::len),
        Some(3),
        "{}",
        run.context()
    );
    assert_eq!(report["entries"][1]["name"], "slot", "{}", run.context());
    assert_eq!(report["entries"][1]["sequence"], 1, "{}", run.context());
}

#[test]
fn a_named_static_replaced_at_run_time_keeps_its_slot() {
    let run = Fixture::statics("replace-static").json_report().run();
    run.assert_code(0);
    let expected: Vec<&str> = std::iter::once("rt-after")
        .chain(statics_printed().into_iter().map(|name| {
            if name == "static-named" {
                "static-named-replacement"
            } else {
                name
            }
        }))
        .collect();
    assert_eq!(run.ran(), expected, "{}", run.context());
    assert_eq!(
        run.value_of("replacement sequence "),
        "2",
        "the replacement has the static's sequence\n{}",
        run.context()
    );
    let report = run.report();
    assert_eq!(
        entry(&report, "static-named")["sequence"],
        2,
        "{}",
        run.context()
    );
    assert_sequences_decrease(&run, &report);
}

#[test]
fn run_time_cleanups_unregister_by_name_and_by_handle_and_stale_handles_say_false() {
    let run = Fixture::scenario(&["unregister"]).json_report().run();
    run.assert_code(0);
    for (line, expected) in [
        ("unregister by-name: ", "true"),
        ("unregister by-name again: ", "false"),
        ("handle unregister: ", "true"),
        ("unregister stale: ", "true"),
        ("stale handle unregister: ", "false"),
        ("unregister never-registered: ", "false"),
    ] {
        assert_eq!(run.value_of(line), expected, "{line}\n{}", run.context());
    }
    assert_eq!(
        run.ran(),
        ["kept-last", "kept-first"],
        "only the entries not unregistered run\n{}",
        run.context()
    );
    assert_eq!(
        run.report()["entries"].as_array().map(Vec::len),
        Some(2),
        "{}",
        run.context()
    );
}

#[test]
fn a_named_static_unregisters_by_name_once() {
    let run = Fixture::statics("unregister-static").json_report().run();
    run.assert_code(0);
    assert_eq!(
        run.value_of("unregister static-named: "),
        "true",
        "{}",
        run.context()
    );
    assert_eq!(
        run.value_of("unregister static-named again: "),
        "false",
        "{}",
        run.context()
    );
    let expected: Vec<&str> = statics_printed()
        .into_iter()
        .filter(|name| *name != "static-named")
        .collect();
    assert_eq!(run.ran(), expected, "{}", run.context());
    let report = run.report();
    assert!(
        !names(&report["entries"]).contains(&"static-named"),
        "{}",
        run.context()
    );
}

#[test]
fn clear_forgets_statics_and_run_time_entries_but_not_later_ones() {
    let run = Fixture::statics("clear").json_report().run();
    run.assert_code(0);
    assert_eq!(run.ran(), ["rt-after-clear"], "{}", run.context());
    assert_eq!(
        run.report()["entries"].as_array().map(Vec::len),
        Some(1),
        "{}",
        run.context()
    );
}
