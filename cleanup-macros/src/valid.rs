//! What cannot be a cleanup, and why.
//!
//! The runtime calls a cleanup as `fn() -> R` from plain Rust code, once, at
//! exit. Everything that would make that call impossible or unsound is
//! rejected here, each with its own error on the offending tokens.
//!
//! The return type is deliberately *not* checked here: `R` must implement
//! `CleanupResult`, and that is left to the type checker (see `expand.rs`) so
//! that aliases such as `std::io::Result<()>` work.

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{Error, FnArg, GenericParam, Path, Result, Signature};

use crate::ast::{Function, Macro};
use crate::error::combine;

impl Function {
    /// Every reason this function cannot be a cleanup, as one error.
    pub(crate) fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        check_signature(&self.item.sig, self.attribute, &mut errors);
        check_registered_once(self, &mut errors);
        match combine(errors) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

fn check_signature(sig: &Signature, attribute: Macro, errors: &mut Vec<Error>) {
    if let Some(unsafety) = &sig.unsafety {
        errors.push(Error::new_spanned(
            unsafety,
            format!(
                "{attribute} cannot be used on an `unsafe fn`: nothing at exit can uphold \
                 its safety contract; make the function safe and use an `unsafe {{ }}` \
                 block inside it"
            ),
        ));
    }
    if let Some(asyncness) = &sig.asyncness {
        errors.push(Error::new_spanned(
            asyncness,
            format!(
                "{attribute} cannot be used on an `async fn`: cleanups run at exit, \
                 outside any executor; make it a plain `fn` (and block on the future \
                 inside it if needed)"
            ),
        ));
    }
    if let Some(abi) = &sig.abi {
        let written = abi.to_token_stream().to_string();
        errors.push(Error::new_spanned(
            abi,
            format!(
                "{attribute} cannot be used on a function with an explicit ABI: the \
                 runtime calls it as a Rust function; remove `{written}`"
            ),
        ));
    }
    let generics = &sig.generics;
    if !generics.params.is_empty() {
        let lifetimes_only = generics
            .params
            .iter()
            .all(|param| matches!(param, GenericParam::Lifetime(_)));
        let message = if lifetimes_only {
            format!(
                "{attribute} cannot be used on a function with lifetime parameters: \
                 the runtime calls it with no arguments, so there is nothing for them \
                 to name; remove them (use `'static` if needed)"
            )
        } else {
            format!(
                "{attribute} cannot be used on a generic function: the runtime calls \
                 it with no type arguments; remove the generic parameters"
            )
        };
        // From `<` to `>`.
        let mut params = generics.clone();
        params.where_clause = None;
        errors.push(Error::new_spanned(params, message));
    }
    if let Some(where_clause) = &generics.where_clause {
        errors.push(Error::new_spanned(
            where_clause,
            format!("{attribute} cannot be used on a function with a `where` clause"),
        ));
    }
    let receiver = sig.inputs.iter().find_map(|input| match input {
        FnArg::Receiver(receiver) => Some(receiver),
        FnArg::Typed(_) => None,
    });
    if let Some(receiver) = receiver {
        errors.push(Error::new_spanned(
            receiver,
            format!(
                "{attribute} cannot be used on a method: the runtime has no `self` to \
                 call it on; use a free function"
            ),
        ));
    }
    let params: Punctuated<_, syn::Token![,]> = sig
        .inputs
        .iter()
        .filter(|input| matches!(input, FnArg::Typed(_)))
        .collect();
    if !params.is_empty() {
        errors.push(Error::new_spanned(
            params,
            format!(
                "{attribute} cannot be used on a function with parameters: the runtime \
                 calls it with no arguments"
            ),
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(Error::new_spanned(
            variadic,
            format!("{attribute} cannot be used on a variadic function"),
        ));
    }
}

/// `#[at_exit] #[cleanup(name = "x")] fn f()` would register `f` twice: the
/// outer attribute sees the inner one among the function's attributes.
fn check_registered_once(function: &Function, errors: &mut Vec<Error>) {
    for attr in &function.item.attrs {
        if let Some(other) = cleanup_attribute(attr.path()) {
            errors.push(Error::new_spanned(
                attr,
                format!(
                    "{other} on a function that already has {}: a function can be \
                     declared a cleanup only once",
                    function.attribute
                ),
            ));
        }
    }
}

/// Whether `path` names one of this crate's attributes, as written in
/// practice: `at_exit`, `cleanup`, or either under `cleanup_runtime::`.
fn cleanup_attribute(path: &Path) -> Option<Macro> {
    let segments: Vec<String> = path
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    let last = match segments.as_slice() {
        [last] => last,
        [krate, last] if krate == "cleanup_runtime" => last,
        _ => return None,
    };
    match last.as_str() {
        "at_exit" => Some(Macro::AtExit),
        "cleanup" => Some(Macro::Cleanup),
        _ => None,
    }
}
