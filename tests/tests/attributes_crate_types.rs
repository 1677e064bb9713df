//! The attributes in crates that are not a plain Rust program or library
//! (`tests/crate-fixtures`, built here): a `staticlib` linked into a C
//! program by `cc` runs its cleanups, its dependency's too, when the C
//! program calls `exit`; a 2015-edition program builds and runs its
//! cleanups; a `proc-macro` crate with a cleanup fails to build with one
//! error that says why, and so does a crate whose runtime is renamed in
//! Cargo.toml but whose attribute lacks `crate = ...`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{crate_fixtures, crate_fixtures_target};

/// `cargo build` in the fixtures' workspace with `args`.
fn cargo_build(args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .current_dir(crate_fixtures())
        .args(["build", "--quiet", "--target-dir"])
        .arg(crate_fixtures_target())
        .args(args)
        .output()
        .expect("run cargo")
}

/// Builds the crates that must build, once per test process, and links
/// the C host against the static library; returns the directory holding
/// the host and `edition2015`.
fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let output = cargo_build(&["-p", "staticlib", "-p", "edition2015"]);
        assert!(
            output.status.success(),
            "building the fixtures failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let built = crate_fixtures_target().join("debug");
        // The link line the crate docs give for a static library: the
        // archive linked whole, then the system libraries that
        // `--print native-static-libs` lists for this target.
        let output = Command::new("cc")
            .arg(crate_fixtures().join("host.c"))
            .arg("-Wl,--whole-archive")
            .arg(built.join("libstaticlib.a"))
            .arg("-Wl,--no-whole-archive")
            .args([
                "-lgcc_s",
                "-lutil",
                "-lrt",
                "-lpthread",
                "-lm",
                "-ldl",
                "-lc",
            ])
            .arg("-o")
            .arg(built.join("staticlib-host"))
            .output()
            .expect("run cc");
        assert!(
            output.status.success(),
            "linking the C host failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        built
    })
}

/// Runs `binary` with the JSON report on stderr; checks it exited 0 and
/// returns its stdout lines and the report.
fn run(binary: &Path) -> (Vec<String>, serde_json::Value, String) {
    let output = Command::new(binary)
        .env("CLEANUP_REPORT", "json")
        .output()
        .expect("run the fixture");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let context = format!(
        "{}: {:?}\n{stdout}\n{stderr}",
        binary.display(),
        output.status
    );
    assert!(output.status.success(), "{context}");
    let report = serde_json::from_str(stderr.trim())
        .unwrap_or_else(|error| panic!("the JSON report ({error})\n{context}"));
    (stdout.lines().map(str::to_owned).collect(), report, context)
}

fn entry_statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    report["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            (
                entry["name"].as_str().expect("a name").to_owned(),
                entry["status"].as_str().expect("a status").to_owned(),
            )
        })
        .collect()
}

/// In a debug build the cleanups sit in other codegen units than the entry
/// point the host calls (and one in a dependency): linked whole, the
/// archive brings them all, and they run when the C program calls `exit`.
#[test]
fn a_staticlib_linked_whole_into_a_c_program_runs_every_cleanup_at_exit() {
    let (lines, report, context) = run(&built().join("staticlib-host"));
    assert_eq!(
        lines,
        [
            "library: called",
            "host: library_called() = 7",
            "ran library_flush",
            "ran library-close",
            "ran dep-named",
        ],
        "{context}"
    );
    assert_eq!(
        entry_statuses(&report),
        [
            (
                "staticlib::flush::library_flush".to_owned(),
                "ok".to_owned()
            ),
            ("library-close".to_owned(), "ok".to_owned()),
            ("dep-named".to_owned(), "ok".to_owned()),
        ],
        "{context}"
    );
    assert_eq!(report["trigger"], "exit", "{context}");
}

/// Edition 2015 reads `use` paths from the crate root and `::name` as a
/// crate-root item: the expansion must not depend on either.
#[test]
fn a_2015_edition_program_builds_and_runs_its_cleanups() {
    let (lines, report, context) = run(&built().join("edition2015"));
    assert_eq!(
        lines,
        ["main: done", "ran edition2015::close", "ran store-flush"],
        "{context}"
    );
    assert_eq!(
        entry_statuses(&report),
        [
            ("edition2015::close".to_owned(), "ok".to_owned()),
            ("store-flush".to_owned(), "ok".to_owned()),
        ],
        "{context}"
    );
}

/// A `proc-macro` crate's code runs inside rustc: a cleanup there would run
/// when the compiler exits. One error, on the attribute, says so.
#[test]
fn a_proc_macro_crate_with_a_cleanup_fails_to_build_with_one_error() {
    let output = cargo_build(&["-p", "proc-macro-user"]);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the crate built:\n{errors}");
    assert!(
        errors.contains(
            "error: `#[at_exit]` cannot be used in a `proc-macro` crate: its code runs inside \
             the compiler while other crates build, not in a program that ends"
        ),
        "{errors}"
    );
    assert!(
        errors.contains("proc-macro-user/src/lib.rs:7:1"),
        "{errors}"
    );
    assert_eq!(
        errors.matches("error: ").count(),
        2,
        "one error, and cargo's line after it:\n{errors}"
    );
    assert!(errors.contains("due to 1 previous error"), "{errors}");
}

/// Without the hint rustc says only that `cleanup_runtime` is unknown, and
/// suggests `cargo add`, which would add a second copy.
#[test]
fn a_renamed_runtime_without_crate_fails_with_one_error_that_says_to_add_it() {
    let output = cargo_build(&["-p", "renamed-without-crate"]);
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the crate built:\n{errors}");
    assert!(
        errors.contains(
            "error: cleanup-runtime is a dependency named `exitclean` in this crate's \
             Cargo.toml, and the code `#[at_exit]` generates names `::cleanup_runtime`: add \
             `crate = ::exitclean`, as in `#[exitclean::at_exit(crate = ::exitclean)]`"
        ),
        "{errors}"
    );
    assert!(
        errors.contains("renamed-without-crate/src/main.rs:4:1"),
        "{errors}"
    );
    assert!(errors.contains("due to 1 previous error"), "{errors}");
}
