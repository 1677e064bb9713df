//! Every form of the attributes under a strict lint policy (the
//! `attributes_lints` fixture: that it builds under clippy with
//! `pedantic`, `nursery` and restriction lints denied is CI's lint step),
//! with options handed in through `macro_rules!` fragments: each cleanup
//! runs once, under the name the fragment gave it, in an order that keeps
//! the ordering options.

mod common;

use common::Fixture;

const ATTRIBUTES_LINTS: &str = env!("CARGO_BIN_EXE_attributes_lints");

#[test]
fn every_form_runs_once_and_fragments_mean_what_the_literals_mean() {
    let run = Fixture::new(ATTRIBUTES_LINTS, &[]).json_report().run();
    run.assert_code(0);
    let ran = run.ran();
    let mut sorted = ran.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "async-timed",
            "async_plain",
            "from-expr",
            "from-literal",
            "from-tt",
            "inner-named",
            "inner_plain",
            "listed",
            "named",
            "ordered",
            "ordered_by_path",
            "plain",
            "timed",
            "tt_at_exit",
        ],
        "{}",
        run.context()
    );
    let position = |name: &str| ran.iter().position(|ran| *ran == name).expect(name);
    // `after = ...` / `before = ...`, written out and through fragments.
    for (first, then) in [
        ("named", "ordered"),
        ("ordered", "timed"),
        ("ordered", "listed"),
        ("named", "listed"),
        ("timed", "listed"),
        ("named", "from-literal"),
        ("from-literal", "listed"),
        ("named", "from-expr"),
        ("from-expr", "listed"),
        ("from-expr", "timed"),
        ("named", "from-tt"),
        ("from-tt", "tt_at_exit"),
        ("named", "ordered_by_path"),
        ("timed", "ordered_by_path"),
    ] {
        assert!(
            position(first) < position(then),
            "{first} runs before {then}\n{}",
            run.context()
        );
    }
    let report = run.report();
    let entries = report["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 14, "{report}");
    for entry in entries {
        assert_eq!(entry["status"], "ok", "{report}");
    }
    for name in ["from-literal", "from-expr", "from-tt"] {
        let entry = entries
            .iter()
            .find(|entry| entry["name"] == name)
            .unwrap_or_else(|| panic!("no entry {name}\n{report}"));
        assert!(
            entry["source"]
                .as_str()
                .is_some_and(|source| source.starts_with("tests/src/bin/attributes_lints.rs:")),
            "{report}"
        );
    }
}
