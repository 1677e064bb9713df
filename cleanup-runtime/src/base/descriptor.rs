//! The descriptor that `#[at_exit]` and `#[cleanup]` build in `const`
//! context and submit to `inventory`. Defined here, at the bottom, because
//! every layer reads it; the macros name it by its public path,
//! `cleanup_runtime::__private::StaticCleanup`, a re-export.

/// A cleanup declared with `#[at_exit]` or `#[cleanup(...)]`, built in `const`
/// context by the macro and collected with `inventory`.
pub struct StaticCleanup {
    /// The cleanup's name: the `name = "..."` option, or for `#[at_exit]`
    /// the function's path (`module_path!()::fn_name`).
    pub name: &'static str,
    /// `true` for `#[cleanup(name = ...)]`: the name can be replaced and
    /// unregistered. `false` for `#[at_exit]`, whose name is only a label.
    pub named: bool,
    /// Calls the user's function and turns what it returned into an outcome.
    pub run: fn() -> Outcome,
    /// `module_path!()` at the declaration: the second key of the static
    /// order.
    pub module_path: &'static str,
    /// Declared in the crate built as the program (a binary, an example, a
    /// test harness) rather than in a library it links: the first key of
    /// the static order, such statics numbered after the libraries' so that
    /// they run first.
    pub in_program: bool,
    /// The file where the function's name is written (for a name written
    /// in a `macro_rules!` body, the macro's file), as `file!()` spells it.
    pub file: &'static str,
    /// The line of the function's name, where it is written (not the
    /// outermost macro call, as `line!()` would give).
    pub line: u32,
    /// The column of the function's name, counted from 1 as `column!()`.
    pub column: u32,
    /// The `timeout = "..."` option, if given.
    pub timeout: Option<core::time::Duration>,
    /// The `after = ...` names: this cleanup runs after the pending
    /// cleanups of these names.
    pub after: &'static [&'static str],
    /// The `before = ...` names: this cleanup runs before the pending
    /// cleanups of these names.
    pub before: &'static [&'static str],
    /// With `after` or `before` names, `link_planning` (from
    /// `__private`), which collecting the statics calls; `None` without
    /// them. Naming it only here keeps the planning of constraints out of
    /// a program whose cleanups declare none (the registry's
    /// `planning.rs`).
    pub ordering: Option<fn()>,
    /// For named cleanups, a reference to the zero-sized symbol
    /// `cleanup-runtime: duplicate cleanup name "NAME"` (hidden, defined in
    /// assembly on ELF targets; see the macro crate's `name_guard.rs`).
    /// Holding it here keeps that symbol linked whenever the cleanup is, so
    /// two cleanups with one name fail to link (or to compile, within one
    /// crate) instead of passing silently.
    pub name_guard: Option<&'static [u8; 0]>,
}

/// What a static cleanup's generated `run` function returns.
pub type Outcome = Result<(), String>;

inventory::collect!(StaticCleanup);
