//! Two major versions of the runtime in one build graph (say, a library on
//! 0.x and the application on 1.x): cargo refuses the graph when it
//! resolves it, naming the runtime and its `links` value, so two copies
//! never meet in one process (each would install an exit hook and the
//! signal handlers, and on Unix the second's cleanups would never run on a
//! signal). The "semver trick" still works: a last release of the old
//! major that depends on the new one and re-exports it, without `links`,
//! resolves beside it.
//!
//! Each test writes a workspace in a temporary directory: a copy of
//! `cleanup-runtime` and `cleanup-macros` under the next major version, and
//! a program depending on it and on this checkout's runtime. Only
//! `cargo metadata --offline` runs: the conflict is found at resolution, so
//! nothing is compiled.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The workspace's root, whose runtime is the "old" major.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_owned()
}

/// The workspace's version (the runtime's: they share it).
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The first release of the major after [`VERSION`]'s, as cargo counts
/// majors: `0.1.0` -> `1.0.0`, `1.4.2` -> `2.0.0`.
fn next_major() -> String {
    let major: u64 = VERSION
        .split('.')
        .next()
        .and_then(|major| major.parse().ok())
        .expect("a semver version");
    format!("{}.0.0", major + 1)
}

/// Copies the directory `from` to `to`, leaving out the entries of `from`
/// itself named in `skip`.
fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    fs::create_dir_all(to).expect("create a directory");
    for entry in fs::read_dir(from).expect("read a directory") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name();
        if skip.iter().any(|skipped| name == **skipped) {
            continue;
        }
        let (from, to) = (entry.path(), to.join(&name));
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&from, &to, &[]);
        } else {
            fs::copy(&from, &to).expect("copy a file");
        }
    }
}

/// `text` with its one occurrence of `from` replaced by `to`: the test
/// stops with a clear message if the workspace's manifest no longer reads
/// the way these edits expect.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the workspace's Cargo.toml should hold `{from}` once"
    );
    text.replacen(from, to, 1)
}

/// Writes, under `dir`, a copy of the runtime and its macros at version
/// `version` in a workspace of their own (this workspace's manifest with
/// the version, the macros' `=` pin and the members changed); returns the
/// copy of the runtime.
fn runtime_copy(dir: &Path, version: &str) -> PathBuf {
    let root = root();
    // The UI tests and trybuild's scratch output are not part of the
    // package (nor needed to resolve it).
    copy_tree(
        &root.join("cleanup-runtime"),
        &dir.join("cleanup-runtime"),
        &["tests", "wip"],
    );
    copy_tree(
        &root.join("cleanup-macros"),
        &dir.join("cleanup-macros"),
        &[],
    );
    fs::copy(root.join("README.md"), dir.join("README.md")).expect("copy the README");
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("the workspace's manifest");
    let members = manifest
        .lines()
        .find(|line| line.starts_with("members = "))
        .expect("a members line");
    let exclude = manifest
        .lines()
        .find(|line| line.starts_with("exclude = "))
        .expect("an exclude line");
    let manifest = replace_once(
        &manifest,
        members,
        r#"members = ["cleanup-macros", "cleanup-runtime"]"#,
    );
    let manifest = replace_once(&manifest, exclude, "");
    let manifest = replace_once(
        &manifest,
        &format!("\nversion = \"{VERSION}\"\n"),
        &format!("\nversion = \"{version}\"\n"),
    );
    let manifest = replace_once(
        &manifest,
        &format!("version = \"={VERSION}\""),
        &format!("version = \"={version}\""),
    );
    fs::write(dir.join("Cargo.toml"), manifest).expect("write the copy's manifest");
    dir.join("cleanup-runtime")
}

/// Writes a package at `dir` (a workspace of its own) named `name`, at
/// `version`, with the dependencies `dependencies` (lines of a
/// `[dependencies]` table) and `extra` appended to its `[package]` table.
fn package(dir: &Path, name: &str, version: &str, extra: &str, dependencies: &[String]) {
    fs::create_dir_all(dir.join("src")).expect("create the package");
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2024\"\n\
             publish = false\n{extra}\n[dependencies]\n{}\n\n[workspace]\n",
            dependencies.join("\n")
        ),
    )
    .expect("write the manifest");
    fs::write(dir.join("src").join("lib.rs"), "").expect("write lib.rs");
}

/// A `[dependencies]` line: `key` is the package `cleanup-runtime` at
/// `path`.
fn runtime_at(key: &str, path: &Path) -> String {
    format!(
        "{key} = {{ package = \"cleanup-runtime\", path = {:?} }}",
        path.to_str().expect("a UTF-8 temporary path")
    )
}

/// `cargo metadata --offline` in the package at `dir`: resolution only.
fn metadata(dir: &Path) -> Output {
    std::process::Command::new(env!("CARGO"))
        .current_dir(dir)
        .args(["metadata", "--offline", "--format-version", "1"])
        .output()
        .expect("run cargo")
}

/// `output`'s status and stderr, for a failed assertion's message.
fn context(output: &Output) -> String {
    format!(
        "{:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn two_majors_in_one_build_graph_are_refused_when_cargo_resolves_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let next = next_major();
    let new = runtime_copy(&dir.path().join("next"), &next);
    let app = dir.path().join("app");
    package(
        &app,
        "app",
        "0.0.0",
        "",
        &[
            runtime_at("old", &root().join("cleanup-runtime")),
            runtime_at("new", &new),
        ],
    );
    let output = metadata(&app);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "cargo accepted two majors in one graph\n{}",
        context(&output)
    );
    for expected in [
        "links to the native library `cleanup_runtime`",
        "links = \"cleanup_runtime\"",
        &format!("cleanup-runtime v{next}"),
        VERSION,
    ] {
        assert!(
            stderr.contains(expected),
            "cargo's message should name `{expected}`\n{}",
            context(&output)
        );
    }
}

#[test]
fn the_next_major_alone_resolves() {
    // The control for the test above: the copy is a sound package, so the
    // refusal comes from having both.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let new = runtime_copy(&dir.path().join("next"), &next_major());
    let app = dir.path().join("app");
    package(&app, "app", "0.0.0", "", &[runtime_at("new", &new)]);
    let output = metadata(&app);
    assert!(output.status.success(), "{}", context(&output));
}

#[test]
fn a_bridge_release_of_the_old_major_without_links_resolves_beside_the_new_one() {
    // The semver trick: the old major's last release depends on the new
    // one and re-exports it, so that both majors' users share one runtime.
    // Only one package in a graph may carry the `links` value: the bridge
    // must not.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let new = runtime_copy(&dir.path().join("next"), &next_major());
    let bridge = dir.path().join("bridge");
    package(
        &bridge,
        "cleanup-runtime",
        VERSION,
        "",
        &[runtime_at("cleanup-runtime-next", &new)],
    );
    let app = dir.path().join("app");
    package(
        &app,
        "app",
        "0.0.0",
        "",
        &[runtime_at("old", &bridge), runtime_at("new", &new)],
    );
    let output = metadata(&app);
    assert!(output.status.success(), "{}", context(&output));

    // The same bridge carrying `links` (with the build script it needs)
    // is refused: whoever releases it must leave the key out.
    package(
        &bridge,
        "cleanup-runtime",
        VERSION,
        "links = \"cleanup_runtime\"\nbuild = \"build.rs\"",
        &[runtime_at("cleanup-runtime-next", &new)],
    );
    fs::write(bridge.join("build.rs"), "fn main() {}\n").expect("write build.rs");
    let output = metadata(&app);
    assert!(!output.status.success(), "{}", context(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`cleanup_runtime`"),
        "{}",
        context(&output)
    );
}
