//! The order of cleanups across crates (`tests/crate-fixtures`: the
//! program `app-order` on `cache-layer` on `order-pool`, built here): by
//! default a program's cleanups run before those of the libraries it links
//! (whatever the crates' names), a library orders itself against another
//! by the `const` name that crate publishes (`before = order_pool::POOL`),
//! and a constraint naming a name nobody registers gets one warning.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{crate_fixtures, crate_fixtures_target};

/// Builds `app-order` once per test process; returns the binary.
fn app() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .current_dir(crate_fixtures())
            .args(["build", "--quiet", "-p", "app-order", "--target-dir"])
            .arg(crate_fixtures_target())
            .output()
            .expect("run cargo");
        assert!(
            output.status.success(),
            "building app-order failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        crate_fixtures_target().join("debug").join("app-order")
    })
}

/// Runs the program with the JSON report on stderr: its `ran` lines, the
/// report, and its stderr's other lines.
fn run(args: &[&str]) -> (Vec<String>, serde_json::Value, Vec<String>, String) {
    let output = Command::new(app())
        .args(args)
        .env("CLEANUP_REPORT", "json")
        .output()
        .expect("run app-order");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let context = format!("{:?}\n{stdout}\n{stderr}", output.status);
    assert!(output.status.success(), "{context}");
    let ran = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("ran "))
        .map(str::to_owned)
        .collect();
    let (report, others): (Vec<&str>, Vec<&str>) =
        stderr.lines().partition(|line| line.starts_with('{'));
    let report = serde_json::from_str(report.last().expect("a JSON report"))
        .unwrap_or_else(|error| panic!("the JSON report ({error})\n{context}"));
    (
        ran,
        report,
        others.into_iter().map(str::to_owned).collect(),
        context,
    )
}

#[test]
fn the_program_s_cleanups_run_before_its_libraries_and_a_const_orders_two_libraries() {
    let (ran, report, stderr, context) = run(&[]);
    assert_eq!(
        ran,
        ["app-audit", "app-writer", "cache-layer", "order-pool"],
        "the program's run before the libraries', and cache-layer's \
         `before = order_pool::POOL` holds against LIFO\n{context}"
    );
    let sequence = |name: &str| {
        report["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|entry| entry["name"] == name)
            .and_then(|entry| entry["sequence"].as_u64())
            .unwrap_or_else(|| panic!("no {name}\n{context}"))
    };
    assert_eq!(
        [
            sequence("cache-layer"),
            sequence("order-pool"),
            sequence("app-writer"),
            sequence("app-audit"),
        ],
        [0, 1, 2, 3],
        "libraries by module path, then the program (`app_order` sorts first)\n{context}"
    );
    assert_eq!(report["warnings"], serde_json::json!([]), "{context}");
    assert!(stderr.is_empty(), "{context}");
}

#[test]
fn a_misspelt_name_in_a_constraint_is_one_warning() {
    let (ran, report, stderr, context) = run(&["misspelt"]);
    assert_eq!(ran[0], "app-late", "an ignored constraint: LIFO\n{context}");
    let warnings = report["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{context}");
    let warning = warnings[0].as_str().expect("a string");
    assert!(
        warning
            .contains("is to run after \"order-pol\", but no cleanup of that name was registered"),
        "{context}"
    );
    assert_eq!(
        stderr,
        [format!("cleanup: {warning}")],
        "one line, once\n{context}"
    );
}
