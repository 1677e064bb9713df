//! Compile-time behaviour of `#[at_exit]` and `#[cleanup]`: every misuse is
//! an error on the offending token (`ui/*.rs` with their `.stderr`), and the
//! supported forms compile and run without warnings (`ui-pass/*.rs`).
//! `async fn` is an error naming the feature without feature `tokio`
//! (`ui-no-tokio/`), and compiles and runs with it (`ui-tokio-pass/`),
//! where its misuse is an error too (`ui-tokio/`).
//!
//! Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test -p cleanup-runtime --test ui`, then read it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
    // trybuild builds these with the features this test was built with:
    // `cargo test --workspace` turns `tokio` on (the e2e crate asks for
    // it), so the errors without it are checked by a run of this crate
    // alone, `cargo test -p cleanup-runtime --test ui` (`.ci/run` has it).
    #[cfg(not(feature = "tokio"))]
    t.compile_fail("tests/ui-no-tokio/*.rs");
    #[cfg(feature = "tokio")]
    t.pass("tests/ui-tokio-pass/*.rs");
    #[cfg(feature = "tokio")]
    t.compile_fail("tests/ui-tokio/*.rs");
    // A guard dropped at once, or a result with an `io::Result` inside it
    // dropped unseen, fails a `deny(unused_must_use)` build.
    t.compile_fail("tests/ui-must-use/*.rs");
}
