//! Fixture: every form of the attributes in a crate whose lint policy is
//! as strict as users make theirs. Compiling it under clippy is the test
//! (CI lints every target with `-D warnings`): the expansion must add no
//! warning of `clippy::all`, `pedantic`, `nursery` or the restriction
//! lints below, none of `missing_docs` and `unreachable_pub`. Running it
//! lets each cleanup run once at exit; `tests/tests/attributes_forms.rs`
//! checks that they all ran.
//!
//! The options are also handed in through `macro_rules!` fragments of every
//! kind (`literal`, `expr`, `path`, `tt`), as frameworks that wrap the
//! attributes do.

#![deny(
    warnings,
    missing_docs,
    unreachable_pub,
    unsafe_code,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    clippy::absolute_paths,
    clippy::allow_attributes_without_reason,
    clippy::as_conversions,
    clippy::default_numeric_fallback,
    clippy::exhaustive_structs,
    clippy::expect_used,
    clippy::inline_asm_x86_intel_syntax,
    clippy::min_ident_chars,
    clippy::missing_docs_in_private_items,
    clippy::mod_module_files,
    clippy::panic,
    clippy::pattern_type_mismatch,
    clippy::pub_use,
    clippy::shadow_reuse,
    clippy::shadow_same,
    clippy::shadow_unrelated,
    clippy::single_call_fn,
    clippy::std_instead_of_alloc,
    clippy::std_instead_of_core,
    clippy::undocumented_unsafe_blocks,
    clippy::unwrap_used,
    clippy::used_underscore_binding,
    clippy::used_underscore_items
)]

use std::{env, io};

use cleanup_runtime::{at_exit, cleanup};
use cleanup_tests::{ran, say};
use tokio::task;

/// A plain `#[at_exit]`.
#[at_exit]
fn plain() {
    ran("plain");
}

/// `#[at_exit]` with both ordering options and `crate`.
#[at_exit(after = "named", before = ["timed", "listed"], crate = ::cleanup_runtime)]
fn ordered() {
    ran("ordered");
}

/// The named cleanup's name, for a constraint given by path.
const NAMED: &str = "named";

/// `#[at_exit]` with a timeout and a constraint given by a `const` path.
#[at_exit(timeout = "1s", after = [NAMED, "timed"])]
fn ordered_by_path() {
    ran("ordered_by_path");
}

/// A named cleanup returning a `Result`.
///
/// # Errors
///
/// Never; the type is what is tested.
#[cleanup(name = "named")]
pub fn named() -> Result<(), io::Error> {
    ran("named");
    Ok(())
}

/// A named cleanup with a timeout.
#[cleanup(name = "timed", timeout = "5s")]
fn timed() {
    ran("timed");
}

/// A named cleanup with lists, and `crate`.
#[cleanup(
    name = "listed",
    after = ["named", "timed"],
    before = "absent",
    crate = ::cleanup_runtime,
)]
fn listed() -> Result<(), String> {
    ran("listed");
    if env::args().count() > 1 {
        return Err("an argument was given".to_owned());
    }
    Ok(())
}

/// An async `#[at_exit]`.
#[at_exit]
async fn async_plain() {
    task::yield_now().await;
    ran("async_plain");
}

/// An async named cleanup with a timeout, returning a `Result`.
#[cleanup(name = "async-timed", timeout = "5s")]
async fn async_timed() -> io::Result<()> {
    task::yield_now().await;
    ran("async-timed");
    Ok(())
}

/// In a module of its own.
mod inner {
    use cleanup_runtime::{at_exit, cleanup};
    use cleanup_tests::ran;

    /// Private, in a module.
    #[at_exit]
    fn inner_plain() {
        ran("inner_plain");
    }

    /// Named, in a module.
    #[cleanup(name = "inner-named")]
    fn inner_named() {
        ran("inner-named");
    }
}

/// Declares a named cleanup with every option handed in as a fragment of
/// the given kind.
macro_rules! with_literal {
    ($function:ident, $name:literal, $timeout:literal, $after:literal, $before:literal, $runtime:path) => {
        /// Declared through `$x:literal` fragments, and `$x:path`.
        #[cleanup(name = $name, timeout = $timeout, after = $after, before = [$before], crate = $runtime)]
        fn $function() {
            ran($name);
        }
    };
}

/// The same with `$x:expr` fragments (an array for `before`).
macro_rules! with_expr {
    ($function:ident, $name:expr, $timeout:expr, $after:expr, $before:expr) => {
        /// Declared through `$x:expr` fragments.
        #[cleanup(name = $name, timeout = $timeout, after = $after, before = $before)]
        fn $function() {
            ran($name);
        }
    };
}

/// The same with `$x:tt` fragments, on `#[at_exit]` too.
macro_rules! with_tt {
    ($function:ident, $name:tt, $timeout:tt, $after:tt, $($runtime:tt)+) => {
        /// Declared through `$x:tt` fragments.
        #[cleanup(name = $name, timeout = $timeout, after = $after, crate = $($runtime)+)]
        fn $function() {
            ran($name);
        }

        /// `#[at_exit]` through `$x:tt` fragments.
        #[at_exit(after = $name)]
        fn tt_at_exit() {
            ran("tt_at_exit");
        }
    };
}

with_literal!(
    from_literal,
    "from-literal",
    "5s",
    "named",
    "listed",
    ::cleanup_runtime
);
with_expr!(from_expr, "from-expr", "5s", "named", ["listed", "timed"]);
with_tt!(from_tt, "from-tt", "5s", ["named"], ::cleanup_runtime);

fn main() {
    say("main: returns");
}
