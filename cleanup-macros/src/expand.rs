//! The emitted code: the function as written, then a `const _` block that
//! submits its `StaticCleanup` descriptor.

use std::time::Duration;

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens as _, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::{LitStr, Result, ReturnType, Signature};

use crate::args::{self, CleanupArgs};
use crate::ast::{Function, Macro};
use crate::error::both;
use crate::fallback;

/// `#[at_exit]`.
pub(crate) fn at_exit(args: TokenStream, input: TokenStream) -> TokenStream {
    try_at_exit(args, input.clone()).unwrap_or_else(|error| fallback::expand(input, &error))
}

/// `#[cleanup(...)]`.
pub(crate) fn cleanup(args: TokenStream, input: TokenStream) -> TokenStream {
    try_cleanup(args, input.clone()).unwrap_or_else(|error| fallback::expand(input, &error))
}

fn try_at_exit(args: TokenStream, input: TokenStream) -> Result<TokenStream> {
    let ((), function) = both(args::parse_at_exit(args), checked(input, Macro::AtExit))?;
    Ok(expand(&function, None))
}

fn try_cleanup(args: TokenStream, input: TokenStream) -> Result<TokenStream> {
    let (args, function) = both(args::parse_cleanup(args), checked(input, Macro::Cleanup))?;
    Ok(expand(&function, Some(&args)))
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
/// const _: () = {
///     ::cleanup_runtime::__private::inventory::submit! {
///         ::cleanup_runtime::__private::StaticCleanup {
///             name: "close-db",   // #[at_exit]: concat!(module_path!(), "::", "fn_name")
///             named: true,        // false for #[at_exit]
///             run: || -> Outcome { into_outcome(close_db()) },
///             module_path: module_path!(),
///             file: file!(),
///             line: line!(),      // of the function's name
///             column: column!(),  // of the function's name
///             timeout: Some(Duration::new(2, 0)),  // or None
///             name_guard: Some({ #[unsafe(export_name = "...")] static G: [u8; 0] = []; &G }),
///         }
///     }
///     const _: () = { /* a constructor calling __private::static_declared() */ };
/// };
/// ```
///
/// `run` is a closure rather than a named function so that no name is
/// introduced that could shadow the user's function (one called
/// `__cleanup_run` would otherwise call itself).
fn expand(function: &Function, named: Option<&CleanupArgs>) -> TokenStream {
    let sig = &function.item.sig;
    let ident = &sig.ident;
    let run = run(sig);

    // `line!()` and `column!()` report the position of their span: the
    // function's name, wherever the attribute is.
    let line = quote_spanned!(ident.span()=> ::core::line!());
    let column = quote_spanned!(ident.span()=> ::core::column!());

    let none = quote!(::core::option::Option::None);
    let (name, is_named, timeout, name_guard) = match named {
        None => {
            let ident = ident.unraw().to_string();
            let name = quote!(::core::concat!(::core::module_path!(), "::", #ident));
            (name, false, none.clone(), none)
        }
        Some(args) => {
            let name = LitStr::new(&args.name.value, args.name.span);
            let timeout = match args.timeout {
                None => none,
                Some(timeout) => timeout_value(timeout),
            };
            (quote!(#name), true, timeout, name_guard(args))
        }
    };

    let tokens = &function.tokens;
    let constructor = constructor();
    quote! {
        #tokens

        const _: () = {
            ::cleanup_runtime::__private::inventory::submit! {
                ::cleanup_runtime::__private::StaticCleanup {
                    name: #name,
                    named: #is_named,
                    run: #run,
                    module_path: ::core::module_path!(),
                    file: ::core::file!(),
                    line: #line,
                    column: #column,
                    timeout: #timeout,
                    name_guard: #name_guard,
                }
            }

            #constructor
        };
    }
}

/// A constructor that calls `__private::static_declared()` before `main`,
/// so that a program whose only cleanups are declared ones still gets what
/// the runtime arms for them (signal handlers; the panic hook under
/// `panic = "abort"`). `static_declared` is idempotent.
///
/// The entry is placed the way `inventory` places its own constructors (the
/// user's crate depends on neither `ctor` nor `inventory` directly, and the
/// runtime re-exports no `ctor`): a function pointer in the platform's
/// initializer section. Targets without one (wasm) skip it. It sits in a
/// `const _` block of its own so its names cannot shadow the user's
/// function.
fn constructor() -> TokenStream {
    quote! {
        const _: () = {
            extern "C" fn __cleanup_declared() {
                ::cleanup_runtime::__private::static_declared();
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
    }
}

/// `|| -> Outcome { into_outcome(name()) }`, coerced to `fn() -> Outcome`.
///
/// A wrong return type fails the `CleanupResult` bound of `into_outcome`,
/// and rustc puts that error on the argument, `name()`. Spanning that call
/// from the first to the last token of the return type puts the error on the
/// whole return type; the name still resolves where it was written.
fn run(sig: &Signature) -> TokenStream {
    let ident = &sig.ident;
    let (first, last) = match &sig.output {
        ReturnType::Default => (ident.span(), ident.span()),
        ReturnType::Type(_, ty) => {
            let mut tokens = ty.to_token_stream().into_iter();
            let first = tokens.next().map_or(ident.span(), |token| token.span());
            let last = tokens.last().map_or(first, |token| token.span());
            (first, last)
        }
    };
    let mut callee = ident.clone();
    callee.set_span(first.resolved_at(ident.span()));
    let arguments = quote_spanned!(last=> ());
    quote_spanned! {first=>
        || -> ::cleanup_runtime::__private::Outcome {
            ::cleanup_runtime::__private::into_outcome(#callee #arguments)
        }
    }
}

/// `Some(Duration::new(secs, nanos))`: exact, and `const`.
fn timeout_value(timeout: Duration) -> TokenStream {
    let secs = Literal::u64_suffixed(timeout.as_secs());
    let nanos = Literal::u32_suffixed(timeout.subsec_nanos());
    quote! {
        ::core::option::Option::Some(::core::time::Duration::new(#secs, #nanos))
    }
}

/// `Some(&GUARD)`, where `GUARD` is a zero-sized static exported under a
/// symbol made from the name. Two cleanups with one name define that symbol
/// twice: rustc rejects it within a crate ("symbol ... is already defined",
/// on the second name), the linker across crates ("duplicate symbol", naming
/// both files). The descriptor holds the reference so the symbol is linked
/// whenever the cleanup is.
///
/// The name is written in the symbol as a Rust string literal (`{:?}`), so
/// quotes and backslashes are escaped and distinct names give distinct
/// symbols.
fn name_guard(args: &CleanupArgs) -> TokenStream {
    let span = args.name.span;
    let symbol = format!(
        "cleanup-runtime: duplicate cleanup name {:?}",
        args.name.value
    );
    let symbol = LitStr::new(&symbol, span);
    // The attribute is spanned on the macro, not on the user's code, so that
    // `unsafe_code` (which flags `export_name`) sees it as the macro's doing:
    // a crate with `#![forbid(unsafe_code)]` can still declare named
    // cleanups. The rest is spanned on the name, where rustc reports a
    // duplicate.
    let export_name = quote!(#[unsafe(export_name = #symbol)]);
    // The static lives in its own block, so its name cannot shadow the
    // user's function.
    quote_spanned! {span=>
        ::core::option::Option::Some({
            #export_name
            static __CLEANUP_NAME_GUARD: [u8; 0] = [];
            &__CLEANUP_NAME_GUARD
        })
    }
}
