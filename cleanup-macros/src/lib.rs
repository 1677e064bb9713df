//! The attribute macros `#[at_exit]` and `#[cleanup(...)]` of
//! [cleanup-runtime](https://docs.rs/cleanup-runtime).
//!
//! Use them through `cleanup-runtime`, which re-exports both
//! (`use cleanup_runtime::{at_exit, cleanup};`) and documents them with
//! examples. The code they generate names only
//! `::cleanup_runtime::__private::...` and `::core::...`; where the runtime
//! goes by another path (renamed in Cargo.toml, re-exported by another
//! crate), `crate = ::that::path` on either attribute names it instead;
//! where the runtime is renamed in Cargo.toml and `crate` is missing, the
//! error says which path to write.
//!
//! Each attribute emits the function as written (with clippy's
//! `single_call_fn` allowed), followed by a constant named after it whose
//! block submits a descriptor of it to `inventory`. Misuse is
//! a compile error on the offending token; the function is still emitted, so
//! the rest of the crate and the IDE keep working.
//!
//! - **Fragments.** An option handed in through a `macro_rules!` fragment
//!   (`$n:literal`, `$x:expr`, `$p:path`, `$t:tt`) means what the tokens
//!   written out mean, and an error in it points where the macro's caller
//!   wrote them. A raw identifier is the same key (`r#name` is `name`).
//!   Macros in an option (`concat!`, `stringify!`, `env!`) are not
//!   expanded: an attribute's arguments are read as they are written.
//! - **Lints.** The generated code is clean under `clippy::all`,
//!   `pedantic`, `nursery`, the common `restriction` lints,
//!   `missing_docs`, `unreachable_pub`, `forbid(unsafe_code)` and
//!   `no_implicit_prelude`.
//! - **Editions.** Every edition, 2015 included (without `extern crate`);
//!   `async fn` needs 2018 or later, as the language does.
//! - **Crate types.** Binaries, `lib`/`rlib`, `dylib` and `cdylib`. In a
//!   `staticlib` the cleanups are ordinary object code in the archive, and
//!   a C linker takes from an archive only the object files whose symbols
//!   the program uses: a cleanup in another codegen unit than the entry
//!   points the host calls (or in a dependency) would be left out, silently.
//!   Link the archive whole: `-Wl,--whole-archive libname.a
//!   -Wl,--no-whole-archive` (GNU ld, lld), `-Wl,-force_load,libname.a`
//!   (Apple ld), `/WHOLEARCHIVE:name.lib` (MSVC), followed by the system
//!   libraries `rustc --print native-static-libs` lists. In a
//!   `proc-macro` crate, whose code runs inside the compiler, either
//!   attribute is a compile error.
//! - **No `syn`.** The function and the options are read by this crate's
//!   own small reader over tokens (`cursor.rs`, `function.rs`,
//!   `attribute.rs`, `value.rs`, `literal.rs`), as `ctor` and `dtor` read
//!   theirs. With `syn`, every user's first build waited for it:
//!   `proc-macro2` → `syn` → this crate → the runtime, which cannot start
//!   compiling before its macros exist. Measured on a hello program with
//!   one `#[at_exit]` and `default-features = false`, cold debug builds on
//!   2 cores (7 of each, 1-minute load 0.3 to 1.3 at the start): `syn`
//!   alone took 3.7 s (median), the runtime started compiling at 5.2 s
//!   instead of 8.0 s, and the build took 8.7 s instead of 11.4 s (CPU
//!   14.2 s instead of 19.3 s; 15 crates to 14, the program included).
//!   rustc has parsed the item before the attribute sees it, so the reader
//!   only tells a function with a body from other items and reads what the
//!   checks and the options need; the UI tests pin its messages and spans.
//!   Bringing `syn` back would put those seconds back into every user's
//!   first build.
//! - **No `proc-macro2`, no `quote`: no dependency at all.** The code works
//!   on the compiler's own `proc_macro` types (`tokens.rs`; the unit tests
//!   run on `proc_macro2`'s, a dev-dependency), and the generated code is
//!   written as Rust source with placeholders, parsed by the compiler's
//!   lexer and filled with the user's tokens, which keep their spans
//!   (`template.rs`). The same program, measured the same way with
//!   `cargo build --timings`: before this crate could start,
//!   `proc-macro2`'s build script, its run, `proc-macro2` itself (0.55 s),
//!   `quote`'s build script and `quote` (0.24 s) and `unicode-ident` had to
//!   be built, about 1.4 s of CPU and 1.5 s of the critical path, in a
//!   build 7.7 s longer than hello's where the goal is 5 s; and the runtime
//!   cannot start before this crate is built. Now this crate starts at
//!   once: in 5 alternating cold builds of each (1-minute load 4.3 to 5.6,
//!   other builds on the machine), it started at 0.5 s instead of 4.0 s and
//!   was done at 3.6 s instead of 6.1 s, and the build took 8.6 s instead
//!   of 10.9 s (medians; hello alone 0.4 s). Its own compile, run alone,
//!   went from 1.8 s to 1.3 s (0.95 s to 0.7 s of CPU): templates are
//!   parsed when the attribute runs, where `quote!` had expanded into code
//!   to compile. The expansion is the same token for token, with the same
//!   spans and hygiene (the UI tests pin where each error points).

#![deny(missing_docs)]

// read the options (args, over value/literal/cursor) and the function (ast,
// over function/attribute/cursor) → reject misuse (valid) → emit (expand),
// or on any error the function plus the error (fallback). Every file
// takes its token types from `tokens`; the generated code is `template`s.
mod args;
mod ast;
mod attribute;
mod cursor;
mod duration;
mod error;
mod expand;
mod fallback;
mod function;
mod literal;
mod name_guard;
mod order;
mod renamed;
mod template;
mod tokens;
mod valid;
mod value;

use proc_macro::TokenStream;

/// Runs the function once when the process ends; its name is the function's
/// path (`module_path!()::fn_name`).
///
/// Use it through `cleanup_runtime::at_exit`, whose documentation has the
/// full story. Its options are the ordering constraints `after = "name"`
/// (or a list, `after = ["a", "b"]`) and `before = ...`, as for
/// [`#[cleanup]`](macro@cleanup); to give the cleanup a name (so it can be
/// replaced, unregistered or named by others' constraints) or a timeout,
/// use [`#[cleanup(name = "...")]`](macro@cleanup). `crate = ::path`
/// names the runtime where it is renamed or re-exported
/// (`#[exitclean::at_exit(crate = ::exitclean)]`).
///
/// ```text
/// use cleanup_runtime::at_exit;
///
/// #[at_exit]
/// fn flush_metrics() {
///     // ...
/// }
/// ```
///
/// The function must be a free function (not in a `trait` or `impl`) with
/// no parameters, not `async`, not `unsafe`, not `#[target_feature]`, with
/// no ABI but `extern "Rust"` and no generics, not `main`, returning `()` or
/// `Result<(), E>` with `E: Display` (type aliases such as
/// `std::io::Result<()>` are fine; `-> !` is not). It stays an ordinary
/// function that can still be called. One function takes one of the two
/// attributes, once, however they are spelled (an alias, a renamed crate),
/// and not a test (`#[test]`, `#[tokio::test]`: the harness calls it, and
/// outside test builds it does not exist).
///
/// The cleanup's place in the static order is where the function's name is
/// written: in a `macro_rules!` body, its place there (see the runtime's
/// crate docs, "Order").
#[proc_macro_attribute]
// `into`: the same types in the real build; `proc_macro2`'s inside in unit
// tests (see `tokens.rs`).
#[allow(clippy::useless_conversion)]
pub fn at_exit(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::at_exit(args.into(), input.into()).into()
}

/// Runs the function once when the process ends, under a name that can be
/// replaced or unregistered at run time.
///
/// Use it through `cleanup_runtime::cleanup`, whose documentation has the
/// full story.
///
/// ```text
/// use cleanup_runtime::cleanup;
///
/// #[cleanup(name = "close-db")]
/// fn close_db() -> Result<(), std::io::Error> {
///     Ok(())
/// }
///
/// #[cleanup(name = "drain", timeout = "2s")]
/// fn drain() {}
/// ```
///
/// Options:
///
/// - `name = "..."` (required): a non-blank string literal with no control
///   characters and no whitespace at either end (names are matched
///   exactly). Two cleanups with the same name in one program fail to
///   build: the assembler (within one crate) or the linker names the
///   cleanup and where it was declared.
/// - `timeout = "..."` (optional): a string literal in
///   form `"300ms"`, `"2s"`, `"1m 30s"` or `"1.5s"` (units `ns`, `us`,
///   `ms`, `s`, `m`, `h`, `d`, and their longer names), greater than zero. A cleanup still running after it is
///   abandoned and the others go on.
/// - `after = "name"` or `after = ["a", "b"]`, and `before = ...`
///   (optional, also on `#[at_exit]`): run after / before the pending
///   cleanups of those names, whatever their sequence numbers. Each name is
///   a non-blank string literal, given once, not in both lists, and not the
///   cleanup's own name; an empty list is an error.
/// - `crate = ::path` (optional, also on `#[at_exit]`): the path to
///   `cleanup_runtime` where it is renamed in Cargo.toml or re-exported by
///   another crate (default `::cleanup_runtime`); a path, given once.
///
/// The function must meet the same rules as for [`#[at_exit]`](macro@at_exit).
#[proc_macro_attribute]
// `into`: the same types in the real build; `proc_macro2`'s inside in unit
// tests (see `tokens.rs`).
#[allow(clippy::useless_conversion)]
pub fn cleanup(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::cleanup(args.into(), input.into()).into()
}
