//! Two cleanups with one name in one program never pass silently: within
//! one crate it is a compile error (the trybuild UI tests), across crates a
//! link error naming both source files — proved here by building
//! `tests/dup-names`, whose two libraries both declare "shared-name".

use std::path::PathBuf;
use std::process::Command;

#[test]
fn two_crates_declaring_one_name_fail_to_link_and_the_error_names_both() {
    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // One per path (`.ci/run` builds both), so neither rebuilds the other's.
    let target = tests
        .join("..")
        .join("target")
        .join(if cfg!(cleanup_runtime_portable) {
            "dup-names-portable"
        } else {
            "dup-names"
        });
    let output = Command::new(env!("CARGO"))
        .current_dir(tests.join("dup-names"))
        .args(["build", "--quiet", "-p", "app", "--target-dir"])
        .arg(&target)
        .output()
        .expect("run cargo");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the program linked:\n{errors}");
    assert!(
        errors.contains(r#"cleanup-runtime: duplicate cleanup name "shared-name""#),
        "the error names the cleanup:\n{errors}"
    );
    for library in ["first/src/lib.rs", "second/src/lib.rs"] {
        assert!(
            errors.contains(library),
            "the error names {library}:\n{errors}"
        );
    }
}
