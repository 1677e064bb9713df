//! Compile-time behaviour of `#[at_exit]` and `#[cleanup]`: every misuse is
//! an error on the offending token (`ui/*.rs` with their `.stderr`), and the
//! supported forms compile and run without warnings (`ui-pass/*.rs`).
//!
//! Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p cleanup-runtime --test ui`, then read it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
