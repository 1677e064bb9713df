//! Where the crate fixtures are (`tests/crate-fixtures`, a workspace of
//! its own that tests build with cargo: several crates in one program, or
//! a crate type the e2e crate cannot be) and where they are built.

use std::path::PathBuf;

use super::portable;

/// The fixtures' workspace.
pub fn crate_fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crate-fixtures")
}

/// The target directory every test builds the fixtures in: the same
/// dependencies, built once (one for each exit path, since RUSTFLAGS
/// differ).
pub fn crate_fixtures_target() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join(if portable() {
            "dup-names-portable"
        } else {
            "dup-names"
        })
}
