//! README.md's code blocks, run as this crate's doctests, so that every
//! example a newcomer copies from it compiles and runs.
//!
//! Compiled only by `cargo test --doc` (`cfg(doctest)`), never into the
//! library. The README's "Async cleanups" block needs feature `tokio`, and
//! a fence cannot depend on a feature, so the whole README is tested with
//! that feature on: as `cargo test --workspace` builds this crate (the
//! end-to-end crate asks for `tokio`), or alone with
//! `cargo test -p cleanup-runtime --doc --features tokio`. The path is the
//! repository's: in the packaged crate the README sits beside `Cargo.toml`,
//! and a doctest run there has no such file to read.
//!
//! Fences, as in the crate docs: a block that declares `#[at_exit]` or
//! `#[cleanup]` is ```` ```rust,standalone_crate ```` (edition 2024 merges
//! the other doctests into one binary, whose every process would run its
//! cleanups); one that cannot run in a test says so with `no_run` and a
//! sentence beside it; TOML, shell and output blocks name their language.

#[cfg(feature = "tokio")]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
