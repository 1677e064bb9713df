//! The emitted code: the function as written (clippy's `single_call_fn` allowed),
//! and a constant named after it whose block submits its `StaticCleanup`
//! descriptor.

use std::time::Duration;

use crate::args::{self, CleanupArgs, Runtime};
use crate::ast::{Function, Macro};
use crate::cursor::unraw;
use crate::error::{Result, both};
use crate::fallback;
use crate::function::Signature;
use crate::name_guard::{NameGuard, spanned_string};
use crate::order::Order;
use crate::template::Template;
use crate::tokens::{
    Ident, Literal, Punct, Spacing, Span, ToTokens, TokenStream, TokenTree, location,
};

/// `#[at_exit]`.
pub(crate) fn at_exit(args: TokenStream, input: TokenStream) -> TokenStream {
    try_at_exit(args, input.clone()).unwrap_or_else(|error| fallback::expand(input, &error))
}

/// `#[cleanup(...)]`.
pub(crate) fn cleanup(args: TokenStream, input: TokenStream) -> TokenStream {
    try_cleanup(args, input.clone()).unwrap_or_else(|error| fallback::expand(input, &error))
}

fn try_at_exit(args: TokenStream, input: TokenStream) -> Result<TokenStream> {
    let (args, function) = both(args::parse_at_exit(args), checked(input, Macro::AtExit))?;
    Ok(expand(
        &function,
        None,
        args.timeout,
        &args.order,
        &args.runtime,
    ))
}

fn try_cleanup(args: TokenStream, input: TokenStream) -> Result<TokenStream> {
    let (args, function) = both(args::parse_cleanup(args), checked(input, Macro::Cleanup))?;
    Ok(expand(
        &function,
        Some(&args),
        args.timeout,
        &args.order,
        &args.runtime,
    ))
}

fn checked(input: TokenStream, attribute: Macro) -> Result<Function> {
    let function = Function::parse(input, attribute)?;
    function.validate()?;
    Ok(function)
}

/// The function as written, followed by its registration:
///
/// ```text
/// <the function, token for token>
/// #[cfg(..)]                       // the function's own `cfg`s, if any
/// const close_db_declared_as_cleanup: () = {
///     use ::cleanup_runtime::__private as __cleanup_private;  // or <crate = path>::__private
///     const close_db_declared_as_cleanup_run: fn() -> Outcome =
///         || -> Outcome { into_outcome(close_db(), /* how errors read */) };
///     mod __cleanup_name_guard { global_asm!(/* see name_guard.rs */); }
///     const _: () = check_target(names::JOBS, Some("close-db"));  // per path in after/before
///     __cleanup_private::inventory::submit! {
///         __cleanup_private::StaticCleanup {
///             name: "close-db",   // #[at_exit]: concat!(module_path!(), "::", "fn_name")
///             named: true,        // false for #[at_exit]
///             run: close_db_declared_as_cleanup_run,
///             module_path: module_path!(),
///             in_program: true,   // a binary or test harness (see `in_program`)
///             file: "src/db.rs",  // where the function's name is written
///             line: 12,           // (see `Position`)
///             column: 8,
///             timeout: Some(Duration::new(2, 0)),  // or None (both attributes)
///             after: &["http-server", names::JOBS],  // the `after = ...` names, or &[]
///             before: &[],
///             name_guard: Some({ /* the guard symbol */ &GUARD }),
///         }
///     }
///     const _: () = { /* a constructor calling __private::static_declared() */ };
/// };
/// ```
///
/// The user's function is called from the `..._run` constant and nowhere
/// else: in that scope the only generated item is that constant, whose name
/// cannot be the function's (`inventory::submit!` brings items named
/// `__ctor` and `__INVENTORY`, and a function of that name called from
/// inside it would resolve to them). The outer constant carries the
/// `allow`s that keep the call from tripping lints meant for the user's own
/// calls (`deprecated`).
///
/// The outer constant is named after the function, so a second expansion on
/// the same function is an error whatever the attributes are called (`use
/// cleanup_runtime::at_exit as on_exit`, a renamed crate): rustc reports
/// "the name `close_db_declared_as_cleanup` is defined multiple times" on
/// both attributes. It is a named constant rather than `const _` because in
/// a `trait` or `impl` (where a cleanup cannot be) a `const _` is a syntax
/// error of its own; a named one leaves just the error that says the
/// function is not in scope.
///
/// `::cleanup_runtime::__private` is `<path>::__private` with `crate = <path>`.
fn expand(
    function: &Function,
    named: Option<&CleanupArgs>,
    timeout: Option<Duration>,
    order: &Order,
    runtime: &Runtime,
) -> TokenStream {
    let runtime = runtime.private();
    let private = private_at(Span::call_site());
    let sig = &function.sig;
    let ident = &sig.ident;
    let run = if sig.asyncness.is_some() {
        run_async(sig)
    } else {
        run(sig)
    };
    let declared = declared_ident(ident);
    let cfgs: TokenStream = function
        .sig
        .attrs
        .iter()
        .filter(|attr| attr.is("cfg"))
        .map(ToTokens::to_tokens)
        .collect();
    let Position { file, line, column } = Position::of(ident.span());

    let none = NONE.fill(&[]);
    let timeout = match timeout {
        None => none.clone(),
        Some(timeout) => timeout_value(timeout),
    };
    let (name, own_name, guard_asm, name_guard) = match named {
        None => {
            let ident = Literal::string(&unraw(ident));
            let name = NAME_AT_EXIT.fill(&[("ident", &ident)]);
            (name, None, TokenStream::new(), none.clone())
        }
        Some(args) => {
            let name = spanned_string(&args.name.value, args.name.span);
            let guard = NameGuard::new(args);
            (
                name.to_tokens(),
                Some(name),
                guard.definition(),
                guard.reference(),
            )
        }
    };
    let is_named = Ident::new(
        if own_name.is_some() { "true" } else { "false" },
        Span::call_site(),
    );
    let (path_checks, after, before) = order.emit(&private, own_name.as_ref());
    // Only a cleanup with constraints names the planning code, so that a
    // program whose cleanups declare none does not link it.
    let ordering = match after.is_empty() && before.is_empty() {
        true => none.clone(),
        false => SOME_LINK_PLANNING.fill(&[("private", &private)]),
    };

    let run_ident = Ident::new(&format!("{declared}_run"), Span::call_site());
    REGISTRATION.fill(&[
        ("tokens", &function.tokens),
        ("cfgs", &cfgs),
        ("in_proc_macro", &in_proc_macro(function.attribute)),
        ("declared", &declared),
        ("runtime", &runtime),
        ("private", &private),
        ("run_ident", &run_ident),
        ("run", &run),
        ("guard_asm", &guard_asm),
        ("path_checks", &path_checks),
        ("name", &name),
        ("is_named", &is_named),
        ("in_program", &IN_PROGRAM.fill(&[])),
        ("file", &file),
        ("line", &line),
        ("column", &column),
        ("timeout", &timeout),
        ("after", &comma_separated(after)),
        ("before", &comma_separated(before)),
        ("ordering", &ordering),
        ("name_guard", &name_guard),
        ("constructor", &constructor(&private)),
    ])
}

/// The registration (see [`expand`]). The registration is a use of the
/// function, so clippy's opt-in `single_call_fn` would flag every cleanup
/// that the program does not call itself. The lint is about the user's own
/// calls; a cleanup is meant to be called from elsewhere.
const REGISTRATION: Template = Template::new(
    "registration",
    "#[allow(clippy::single_call_fn)]
    $tokens

    $cfgs
    $in_proc_macro

    $cfgs
    #[cfg(not(proc_macro))]
    #[doc(hidden)]
    #[allow(dead_code, deprecated, non_upper_case_globals)]
    const $declared: () = {
        use $runtime as $private;

        const $run_ident: fn() -> $private::Outcome = $run;

        $guard_asm

        $path_checks

        $private::inventory::submit! {
            $private::StaticCleanup {
                name: $name,
                named: $is_named,
                run: $run_ident,
                module_path: ::core::module_path!(),
                in_program: $in_program,
                file: $file,
                line: $line,
                column: $column,
                timeout: $timeout,
                after: &[$after],
                before: &[$before],
                ordering: $ordering,
                name_guard: $name_guard,
            }
        }

        $constructor
    };",
);

const NONE: Template = Template::new("none", "::core::option::Option::None");

/// A constrained cleanup's `ordering`: the function that links the
/// planning of constraints into the program.
const SOME_LINK_PLANNING: Template = Template::new(
    "some_link_planning",
    "::core::option::Option::Some($private::link_planning)",
);

/// `#[at_exit]`'s name, `path::to::module::fn_name`.
const NAME_AT_EXIT: Template = Template::new(
    "name_at_exit",
    "::core::concat!(::core::module_path!(), \"::\", $ident)",
);

/// `a, b, c`: the elements of an array, as `#(#items),*` wrote them.
fn comma_separated(items: Vec<TokenStream>) -> TokenStream {
    let mut tokens = TokenStream::new();
    for (index, item) in items.into_iter().enumerate() {
        if index > 0 {
            tokens.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
        }
        tokens.extend(item);
    }
    tokens
}

/// Whether the crate being compiled is the program itself rather than a
/// library it links: a binary (cargo sets `CARGO_BIN_NAME` for binaries
/// and examples) or a test harness (`cfg(test)`: unit and integration
/// tests). Evaluated in the user's crate, at compile time, so it is the
/// same in every build of that target; the runtime numbers these statics
/// after the libraries' (see `registry/statics.rs`), so that at exit the
/// program's cleanups run before those of the libraries it uses, the
/// reverse of set-up. Outside cargo neither is set and the crate counts
/// as a library.
const IN_PROGRAM: Template = Template::new(
    "in_program",
    "(::core::option_env!(\"CARGO_BIN_NAME\").is_some() || ::core::cfg!(test))",
);

/// In a `proc-macro` crate (`cfg(proc_macro)`), the registration is left
/// out and this error is emitted instead: such a crate's code runs inside
/// the compiler, while it builds other crates, never in a program that ends;
/// a cleanup there would run when rustc exits (and the runtime would arm
/// its signal handlers in rustc).
fn in_proc_macro(attribute: Macro) -> TokenStream {
    let message = format!(
        "{attribute} cannot be used in a `proc-macro` crate: its code runs inside the \
         compiler while other crates build, not in a program that ends; declare the \
         cleanup in the program or in a library it links"
    );
    IN_PROC_MACRO.fill(&[("message", &Literal::string(&message))])
}

const IN_PROC_MACRO: Template = Template::new(
    "in_proc_macro",
    "#[cfg(proc_macro)]
    ::core::compile_error! { $message }",
);

/// What the generated code calls `::cleanup_runtime::__private` (or
/// `<path>::__private` with `crate = <path>`): one `use` at the top of the
/// registration's block names it, so an unknown `crate` path is one error,
/// on that path. At `span`: the errors about a wrong return type point at
/// the call to `into_outcome` in [`run`], which must lie on the return
/// type. A module name, so it cannot clash with the user's function (a
/// value).
fn private_at(span: Span) -> Ident {
    Ident::new("__cleanup_private", span)
}

/// The module the error-describing traits are imported from, in a `use`
/// that sits among tokens spanned on the user's return type. At the
/// attribute, not there: a `use` path takes the edition of its first
/// segment, and in a 2015 crate a path on the user's tokens would be read
/// from the crate root (where `__cleanup_private` is not).
fn imports_from() -> Ident {
    private_at(Span::call_site())
}

/// `<fn name>_declared_as_cleanup`, on the attribute: a second expansion
/// on the same function defines it again, and rustc's "defined multiple
/// times" then points at both attributes.
fn declared_ident(ident: &Ident) -> Ident {
    Ident::new(
        &format!("{}_declared_as_cleanup", unraw(ident)),
        Span::call_site(),
    )
}

/// Where a cleanup was declared: where its function's name is written.
///
/// Read from the name token itself rather than with `line!()`, which gives
/// the outermost macro call: two cleanups declared by one `macro_rules!`
/// call would otherwise share a position and fall back to name order. A
/// name written in a macro's body has its place there; one passed in as an
/// argument, its place at the call. So a macro's cleanups keep the order
/// in which the macro's author wrote them (or the caller passed them), and
/// the report points where the name is written.
struct Position {
    file: Literal,
    line: Literal,
    column: Literal,
}

impl Position {
    fn of(span: Span) -> Self {
        let location = location(span);
        Position {
            file: spanned_string(&location.file, span),
            line: Literal::u32_suffixed(u32::try_from(location.line).unwrap_or(u32::MAX)),
            column: Literal::u32_suffixed(u32::try_from(location.column).unwrap_or(u32::MAX)),
        }
    }
}

/// A constructor that calls `__private::static_declared()` before `main`,
/// so that a program whose only cleanups are declared ones still gets what
/// the runtime arms for them (signal handlers; the panic hook under
/// `panic = "abort"`). `static_declared` is idempotent.
///
/// The entry is placed the way `inventory` places its own constructors: a
/// function pointer in the platform's initializer section. Targets without
/// one (wasm) skip it. It sits in a `const _` block of its own so its names
/// cannot shadow the user's function.
///
/// Why not `ctor`'s declarative `ctor!` form through `__private` (tried
/// with ctor 1.0.13, `default-features = false`): its expansion carries
/// `#[allow(unsafe_code)]` on the static it emits, unconditionally, and in
/// a crate with `#![forbid(unsafe_code)]` that is a hard error (E0453,
/// "allow(unsafe_code) incompatible with previous forbid"), once per
/// cleanup: `ui-pass/forbid_unsafe_code.rs` fails. The static written here
/// has no `allow`, so such crates keep working. Cost was not the reason:
/// callgrind on `fx-static1 none` (release) counted 345,560 instructions
/// for the whole process with this constructor and 345,562 with `ctor!`;
/// the constructor itself is 5,612 inclusive either way (4 of them its own,
/// the rest `static_declared`).
fn constructor(private: &Ident) -> TokenStream {
    CONSTRUCTOR.fill(&[("private", private)])
}

const CONSTRUCTOR: Template = Template::new(
    "constructor",
    r#"
        const _: () = {
            extern "C" fn __cleanup_declared() {
                $private::static_declared();
            }

            #[used]
            #[cfg_attr(
                all(
                    not(target_family = "wasm"),
                    any(
                        target_os = "linux",
                        target_os = "android",
                        target_os = "dragonfly",
                        target_os = "freebsd",
                        target_os = "haiku",
                        target_os = "illumos",
                        target_os = "netbsd",
                        target_os = "nto",
                        target_os = "openbsd",
                        target_os = "redox",
                        target_os = "vxworks",
                        target_os = "none",
                    )
                ),
                unsafe(link_section = ".init_array")
            )]
            #[cfg_attr(
                any(target_os = "macos", target_os = "ios"),
                unsafe(link_section = "__DATA,__mod_init_func,mod_init_funcs")
            )]
            #[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
            static __CLEANUP_DECLARED: extern "C" fn() = __cleanup_declared;
        };
    "#,
);

/// `|| -> Outcome { into_outcome(name(), errors) }`, coerced to
/// `fn() -> Outcome`, where `errors` says how an error is described: by
/// its `Error::source` chain when the error type implements `Error` or is
/// a `Box<dyn Error>`, else by its alternate `Display` (`{:#}`, anyhow's
/// whole chain). Which one is picked by method resolution on the concrete
/// return type ("autoref specialisation", as anyhow's `anyhow!` does; the
/// levels are described on `__private::Probe`): the runtime alone cannot
/// tell, since its bound is only `E: Display`.
///
/// A wrong return type fails the `CleanupResult` bound of `into_outcome`,
/// and rustc puts that error on the path of the function called,
/// `__cleanup_private::into_outcome`. Spanning that path from the first to
/// the last token of the return type (its first segment on the first, the
/// rest on the last) puts the error on the whole return type; the
/// function's name still resolves where it was written. The probe has no
/// bounds, so a wrong type gets that one error only.
fn run(sig: &Signature) -> TokenStream {
    let ident = &sig.ident;
    let (first, last) = return_type_span(sig);
    // The function is named once, where it was written, so that where it
    // cannot be found (a `trait`) rustc says so once. The local that holds
    // it is hygienic (mixed site), so it cannot clash with the user's names.
    let private = private_at(first);
    let imports = imports_from();
    let into_outcome = INTO_OUTCOME.fill_at(last, &[]);
    let function = Ident::new("function", Span::mixed_site().located_at(first));
    let errors = Ident::new("errors", Span::mixed_site());
    RUN.fill_at(
        first,
        &[
            ("private", &private),
            ("imports", &imports),
            ("function", &function),
            ("ident", ident),
            ("errors", &errors),
            ("into_outcome", &into_outcome),
        ],
    )
}

/// [`run`]'s closure. The `use` before the statements: an item after a
/// statement is clippy's `items_after_statements`, reported on the user's
/// function.
const RUN: Template = Template::new(
    "run",
    "|| -> $private::Outcome {
        #[allow(unused_imports)]
        use $imports::{
            ErrorsByBoxedSource as _, ErrorsByDisplay as _, ErrorsBySource as _,
        };
        let $function: fn() -> _ = $ident;
        let $errors = (&&$private::Probe::returned_by($function)).errors();
        $private $into_outcome($function(), $errors)
    }",
);

/// The rest of the path to `into_outcome`, at the return type's last token.
const INTO_OUTCOME: Template = Template::new("into_outcome", "::into_outcome");

/// For an `async fn` (feature `tokio`; `valid.rs` rejects it otherwise):
/// `|| -> Outcome { drive_async(async { into_outcome(name().await, errors) }) }`,
/// the future driven on the runtime's own tokio runtime. How errors read is
/// picked as in [`run`], from the type of the awaited value, and a wrong
/// return type is underlined whole as there.
fn run_async(sig: &Signature) -> TokenStream {
    let ident = &sig.ident;
    let (first, last) = return_type_span(sig);
    let private = private_at(first);
    let imports = imports_from();
    let value = Ident::new("value", Span::mixed_site());
    let errors = Ident::new("errors", Span::mixed_site());
    let into_outcome = INTO_OUTCOME.fill_at(last, &[]);
    RUN_ASYNC.fill_at(
        first,
        &[
            ("private", &private),
            ("imports", &imports),
            ("value", &value),
            ("ident", ident),
            ("errors", &errors),
            ("into_outcome", &into_outcome),
        ],
    )
}

const RUN_ASYNC: Template = Template::new(
    "run_async",
    "|| -> $private::Outcome {
        $private::drive_async(async {
            #[allow(unused_imports)]
            use $imports::{
                ErrorsByBoxedSource as _, ErrorsByDisplay as _, ErrorsBySource as _,
            };
            let $value = $ident().await;
            let $errors = (&&$private::Probe::returned_as(&$value)).errors();
            $private $into_outcome($value, $errors)
        })
    }",
);

/// The span of the first and of the last token of the return type (the
/// function's name if it has none).
fn return_type_span(sig: &Signature) -> (Span, Span) {
    let ident = &sig.ident;
    match &sig.output {
        None => (ident.span(), ident.span()),
        Some(ty) => {
            let mut tokens = ty.clone().into_iter();
            let first = tokens.next().map_or(ident.span(), |token| token.span());
            let last = tokens.last().map_or(first, |token| token.span());
            (first, last)
        }
    }
}

/// `Some(Duration::new(secs, nanos))`: exact, and `const`.
fn timeout_value(timeout: Duration) -> TokenStream {
    let secs = Literal::u64_suffixed(timeout.as_secs());
    let nanos = Literal::u32_suffixed(timeout.subsec_nanos());
    TIMEOUT.fill(&[("secs", &secs), ("nanos", &nanos)])
}

const TIMEOUT: Template = Template::new(
    "timeout",
    "::core::option::Option::Some(::core::time::Duration::new($secs, $nanos))",
);

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{at_exit, cleanup, run, run_async};
    use crate::function;
    use crate::tokens::TokenStream;

    /// The expansion as text, checked to hold no error but the one for
    /// `proc-macro` crates (under `cfg(proc_macro)`).
    fn expanded(expansion: TokenStream) -> String {
        let text = expansion.to_string();
        assert_eq!(text.matches("compile_error").count(), 1, "{text}");
        assert!(text.contains("# [cfg (proc_macro)] :: core :: compile_error !"));
        text
    }

    /// Between them these fill every template of the expansion (each
    /// checks, as it is filled, that it parses and that its placeholders
    /// and arguments match), so a broken one fails here, not in a user's
    /// build.
    #[test]
    fn every_form_expands() {
        let plain = expanded(at_exit(
            quote!(),
            quote!(
                fn plain() {}
            ),
        ));
        assert!(plain.starts_with("# [allow (clippy :: single_call_fn)] fn plain () { }"));
        assert!(plain.contains(
            "name : :: core :: concat ! (:: core :: module_path ! () , \"::\" , \"plain\") , \
             named : false , run : plain_declared_as_cleanup_run ,"
        ));
        assert!(plain.contains(
            "after : & [] , before : & [] , ordering : :: core :: option :: Option :: None , \
             name_guard : :: core :: option :: Option :: None"
        ));
        assert!(plain.contains("timeout : :: core :: option :: Option :: None ,"));
        assert!(plain.contains("static __CLEANUP_DECLARED"));

        let options = expanded(at_exit(
            quote!(
                timeout = "1.5s",
                after = "db",
                before = ["x", POOL, names::JOBS],
                crate = ::rt
            ),
            quote!(
                #[cfg(unix)]
                pub(crate) fn r#match() -> Result<(), E> {
                    Ok(())
                }
            ),
        ));
        assert!(
            options.contains("use :: rt :: __private as __cleanup_private ;"),
            "{options}"
        );
        assert!(options.contains("Duration :: new (1u64 , 500000000u32)"));
        assert!(
            options.contains(
                "const __cleanup_target_2 : &:: core :: primitive :: str = POOL ; \
             const _ : () = __cleanup_private :: check_target (__cleanup_target_2 , \
             :: core :: option :: Option :: None) ;"
            ),
            "{options}"
        );
        assert!(options.contains(
            "after : & [\"db\"] , before : & [\"x\" , __cleanup_target_2 , __cleanup_target_3] , \
             ordering : :: core :: option :: Option :: Some (__cleanup_private :: link_planning) ,"
        ));
        assert!(options.contains("\"match\""));
        assert_eq!(options.matches("# [cfg (unix)]").count(), 3);

        let named = expanded(cleanup(
            quote!(name = "close-db", timeout = "2s", after = [POOL]),
            quote!(
                fn close_db() -> std::io::Result<()> {
                    Ok(())
                }
            ),
        ));
        assert!(named.contains("name : \"close-db\" , named : true ,"));
        assert!(named.contains("mod __cleanup_name_guard"));
        assert!(named.contains(
            "check_target (__cleanup_target_0 , :: core :: option :: Option :: Some (\"close-db\"))"
        ));
        assert!(named.contains("# [unsafe (export_name = \"cleanup-runtime: duplicate cleanup name \\\"close-db\\\"\")]"));
    }

    #[test]
    fn a_rejected_function_is_emitted_with_the_errors() {
        let text = at_exit(
            quote!(name = "x"),
            quote!(
                fn f(n: u8) {}
            ),
        )
        .to_string();
        assert!(text.starts_with("fn f (n : u8) { }"), "{text}");
        // The two errors; no registration, so no `cfg(proc_macro)` one.
        assert_eq!(text.matches(":: core :: compile_error !").count(), 2);
        assert!(!text.contains("declared_as_cleanup"));
    }

    #[test]
    fn the_calls_of_plain_and_async_functions() {
        let sig = function::read(quote!(
            fn f() -> Result<(), E> {
                Ok(())
            }
        ))
        .expect("read");
        let call = run(&sig).to_string();
        assert!(
            call.contains("__cleanup_private :: into_outcome (function () , errors)"),
            "{call}"
        );
        let sig = function::read(quote!(
            async fn f() {}
        ))
        .expect("read");
        let call = run_async(&sig).to_string();
        assert!(call.contains("let value = f () . await ;"), "{call}");
        assert!(call.contains("returned_as (&value)"), "{call}");
    }
}
