//! Fixture: the attributes where users put them. Compiling it is half the
//! test: `#![deny(warnings)]` (and, under clippy, the opt-in
//! `clippy::single_call_fn`) turns any lint the expansion triggers on the
//! user's items into an error, and functions named like `inventory`'s own
//! items must still be the ones called. Running it (no arguments) lets its
//! cleanups run at exit; `tests/tests/attributes.rs` checks their order and
//! the report.
//!
//! Declared order (module path, then where each function's name is
//! written): `__ctor`, `__CTOR`, `__INVENTORY`, `old_flush`, then the two
//! from `two_cleanups!` in the order its body has them — `macro-z-first`,
//! `macro-a-second` (names in reverse alphabetical order, so name order
//! would show) — then `anyhow-chain`, `source-chain`, `boxed-chain`. They
//! run in reverse.

#![deny(warnings)]
#![warn(clippy::single_call_fn)]

use std::error::Error;
use std::fmt;

use anyhow::Context as _;
use cleanup_runtime::{at_exit, cleanup};
use cleanup_tests::ran;

#[at_exit]
fn __ctor() {
    ran("__ctor");
}

#[cleanup(name = "upper-ctor")]
#[allow(non_snake_case)]
fn __CTOR() {
    ran("__CTOR");
}

#[allow(non_snake_case)]
#[at_exit]
fn __INVENTORY() {
    ran("__INVENTORY");
}

#[deprecated(note = "kept for old callers")]
#[at_exit]
fn old_flush() {
    ran("old_flush");
}

/// Declares two cleanups at one call site: their order is the order of
/// the macro's body, not of their names.
macro_rules! two_cleanups {
    () => {
        #[cleanup(name = "macro-z-first")]
        fn macro_first() {
            ran("macro-z-first");
        }

        #[cleanup(name = "macro-a-second")]
        fn macro_second() {
            ran("macro-a-second");
        }
    };
}

two_cleanups!();

#[cleanup(name = "anyhow-chain")]
fn fails_with_context() -> anyhow::Result<()> {
    ran("anyhow-chain");
    Err(anyhow::anyhow!("connection reset"))
        .context("flushing the write-ahead log")
        .context("closing the database")
}

/// An error whose `Display` leaves its cause out, as most hand-written and
/// `thiserror` errors with `#[source]` do.
#[derive(Debug)]
struct Closing(std::io::Error);

impl fmt::Display for Closing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("closing the socket")
    }
}

impl Error for Closing {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

#[cleanup(name = "source-chain")]
fn fails_with_source() -> Result<(), Closing> {
    ran("source-chain");
    Err(Closing(std::io::Error::other("broken pipe")))
}

#[cleanup(name = "boxed-chain")]
fn fails_boxed() -> Result<(), Box<dyn Error + Send + Sync>> {
    ran("boxed-chain");
    Err(Box::new(Closing(std::io::Error::other(
        "connection refused",
    ))))
}

fn main() {
    println!("attributes: main");
}
