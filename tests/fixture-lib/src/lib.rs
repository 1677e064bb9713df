//! A library crate with one static cleanup, for the end-to-end tests.
//!
//! Proves, through the `lib_only` fixture binary, that a library's
//! `#[at_exit]` runs in every program that links the library, even one
//! that never calls a `cleanup_runtime` function itself.

use cleanup_runtime::at_exit;

/// The line [`lib_cleanup`] prints.
pub const CLEANUP_LINE: &str = "fixture-lib: cleanup ran";

/// Prints [`CLEANUP_LINE`]; runs once at exit.
#[at_exit]
pub fn lib_cleanup() {
    println!("{CLEANUP_LINE}");
}

/// Something for a binary to call so that this crate is linked (a crate
/// that is listed as a dependency but never named is not linked at all).
pub fn greeting() -> &'static str {
    "fixture-lib: linked"
}
