//! The attributes where users put them: in a `macro_rules!`, on functions
//! named like `inventory`'s own items, on `#[deprecated]` functions under
//! `deny(warnings)` (the `attributes` fixture: that it compiles is part of
//! the test), with error types that carry a chain of causes, and in shared
//! libraries and with the runtime renamed or re-exported, `crate = ...`
//! (`tests/link-fixtures`, built here).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::Fixture;

const ATTRIBUTES: &str = env!("CARGO_BIN_EXE_attributes");

#[test]
fn cleanups_declared_by_one_macro_call_keep_the_order_of_the_macro_body() {
    let run = Fixture::new(ATTRIBUTES, &[]).run();
    run.assert_code(0);
    // Declared order: the three odd names, old_flush, then the macro's two
    // in its body's order (names in reverse alphabetical order, so a
    // fallback to name order would swap them), then the two that fail.
    assert_eq!(
        run.ran(),
        [
            "boxed-chain",
            "source-chain",
            "anyhow-chain",
            "macro-a-second",
            "macro-z-first",
            "old_flush",
            "__INVENTORY",
            "__CTOR",
            "__ctor",
        ],
        "{}",
        run.context()
    );
}

#[test]
fn a_macro_s_cleanups_are_reported_where_their_names_are_written() {
    let run = Fixture::new(ATTRIBUTES, &[]).json_report().run();
    let report = run.report();
    let source = |name: &str| {
        report["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|entry| entry["name"] == name)
            .unwrap_or_else(|| panic!("no entry {name}\n{}", run.context()))["source"]
            .as_str()
            .expect("a source")
            .to_owned()
    };
    let first = source("macro-z-first");
    let second = source("macro-a-second");
    assert!(first.starts_with("tests/src/bin/attributes.rs:"), "{first}");
    assert_ne!(first, second, "two places in the macro's body");
}

#[test]
fn functions_named_like_inventory_s_own_items_are_the_ones_called() {
    let run = Fixture::new(ATTRIBUTES, &[]).run();
    for name in ["__ctor", "__CTOR", "__INVENTORY"] {
        assert_eq!(run.count(&format!("ran {name}")), 1, "{}", run.context());
    }
}

#[test]
fn an_anyhow_error_with_context_is_reported_with_its_whole_chain() {
    let run = Fixture::new(ATTRIBUTES, &[]).json_report().run();
    let report = run.report();
    let error = |name: &str| {
        report["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|entry| entry["name"] == name)
            .unwrap_or_else(|| panic!("no entry {name}\n{}", run.context()))["error"]
            .clone()
    };
    assert_eq!(
        error("anyhow-chain"),
        "closing the database: flushing the write-ahead log: connection reset",
        "{}",
        run.context()
    );
    assert_eq!(
        error("source-chain"),
        "closing the socket: broken pipe",
        "an `Error`'s source chain\n{}",
        run.context()
    );
    assert_eq!(
        error("boxed-chain"),
        "closing the socket: connection refused",
        "a boxed `Error`'s source chain\n{}",
        run.context()
    );
}

#[test]
fn the_failure_lines_and_the_text_report_carry_the_whole_chain_too() {
    let run = Fixture::new(ATTRIBUTES, &[]).run();
    let text = Fixture::new(ATTRIBUTES, &[]).report_file("text").run();
    for chain in [
        "closing the database: flushing the write-ahead log: connection reset",
        "closing the socket: broken pipe",
        "closing the socket: connection refused",
    ] {
        assert!(
            run.stderr.contains(chain),
            "a failure line with {chain:?}\n{}",
            run.context()
        );
        assert!(
            text.report_text().contains(chain),
            "the text report has {chain:?}\n{}",
            text.context()
        );
    }
}

/// The host's view of the plugin: `(stdout, stderr)` of a C program that
/// loads the `cdylib`, calls it and returns from `main`.
fn run_host() -> (String, String) {
    let built = link_fixtures();
    let host = built.join("host");
    let output = Command::new(&host)
        .arg(built.join("libplugin.so"))
        .arg(r#"cleanup-runtime: duplicate cleanup name "plugin-named""#)
        .env_remove("CLEANUP_REPORT")
        .output()
        .expect("run the host");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "host failed: {:?}\n{stdout}\n{stderr}",
        output.status
    );
    (stdout, stderr)
}

#[test]
fn a_cdylib_with_named_cleanups_links_and_runs_them_when_its_host_exits() {
    let (stdout, stderr) = run_host();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "host: guard exported: no",
            "plugin: loaded",
            "host: plugin_loaded() = 42",
            "ran plugin-at-exit",
            "ran plugin-named",
            "ran dep-named",
        ],
        "stderr:\n{stderr}"
    );
}

#[test]
fn a_rust_dylib_with_named_cleanups_links() {
    let built = link_fixtures();
    assert!(built.join("librust_plugin.so").is_file());
}

/// Runs a binary built from `tests/link-fixtures` with the JSON report on
/// stderr; checks it exited 0 and returns its stdout lines and the report.
fn run_link_fixture(binary: &str) -> (Vec<String>, serde_json::Value, String) {
    let output = Command::new(link_fixtures().join(binary))
        .env("CLEANUP_REPORT", "json")
        .output()
        .expect("run the fixture");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let context = format!("{binary}: {:?}\n{stdout}\n{stderr}", output.status);
    assert!(output.status.success(), "{context}");
    let report = serde_json::from_str(stderr.trim())
        .unwrap_or_else(|error| panic!("the JSON report ({error})\n{context}"));
    (stdout.lines().map(str::to_owned).collect(), report, context)
}

/// `#[renamed::at_exit(crate = ::renamed)]`, `#[framework::rt::at_exit(crate
/// = ::framework::rt)]`: both attributes compile (the build of the fixtures
/// is part of the test) and their cleanups run at exit, reported under
/// their names with their sources.
#[test]
fn a_renamed_or_re_exported_runtime_is_named_with_crate() {
    for (binary, kind, module) in [
        ("renamed", "renamed", "renamed"),
        ("framework-user", "reexport", "framework_user"),
    ] {
        let (lines, report, context) = run_link_fixture(binary);
        assert_eq!(
            lines,
            [
                format!("ran {kind}-closure"),
                format!("ran {kind}-named"),
                format!("ran {kind}-at-exit"),
            ],
            "{context}"
        );
        let entries = report["entries"].as_array().expect("entries");
        let names: Vec<_> = entries.iter().map(|entry| &entry["name"]).collect();
        assert_eq!(
            names,
            [
                &serde_json::json!(format!("closure in {module}::main")),
                &serde_json::json!(format!("{kind}-named")),
                &serde_json::json!(format!("{module}::flush")),
            ],
            "{context}"
        );
        assert_eq!(entries[1]["status"], "error", "{context}");
        assert_eq!(entries[1]["error"], format!("{kind} error"), "{context}");
        let source = entries[2]["source"].as_str().unwrap_or_default();
        assert!(
            source.starts_with(&format!("{binary}/src/main.rs:")),
            "{source}\n{context}"
        );
    }
}

/// Builds `tests/link-fixtures` once per test process, and the C host;
/// returns the directory holding the libraries and the host.
///
/// The target directory is the one `duplicate_names.rs` builds
/// `tests/dup-names` in: the same dependencies, built once.
fn link_fixtures() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let fixtures = tests.join("link-fixtures");
        // One per path (`.ci/run` builds both), so neither rebuilds the
        // other's.
        let target = tests.join("..").join("target").join(if common::portable() {
            "dup-names-portable"
        } else {
            "dup-names"
        });
        let output = Command::new(env!("CARGO"))
            .current_dir(&fixtures)
            .args(["build", "--quiet", "--target-dir"])
            .arg(&target)
            .output()
            .expect("run cargo");
        assert!(
            output.status.success(),
            "building the shared libraries failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let built = target.join("debug");
        let output = Command::new("cc")
            .arg(fixtures.join("host.c"))
            .arg("-o")
            .arg(built.join("host"))
            .arg("-ldl")
            .output()
            .expect("run cc");
        assert!(
            output.status.success(),
            "compiling the C host failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        built
    })
}
