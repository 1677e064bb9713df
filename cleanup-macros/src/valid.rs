//! What cannot be a cleanup, and why.
//!
//! The runtime calls a cleanup as `fn() -> R` from plain Rust code, once, at
//! exit. Everything that would make that call impossible or unsound is
//! rejected here, each with its own error on the offending tokens.
//!
//! The return type is deliberately *not* checked here: `R` must implement
//! `CleanupResult`, and that is left to the type checker (see `expand.rs`) so
//! that aliases such as `std::io::Result<()>` work.

use crate::ast::{Function, Macro};
use crate::cursor::{is_punct, ungroup};
use crate::error::{Error, Result, combine};
use crate::function::Signature;
use crate::literal;
use crate::tokens::{Ident, TokenStream, TokenTree, ident_is};

impl Function {
    /// Every reason this function cannot be a cleanup, as one error.
    pub(crate) fn validate(&self) -> Result<()> {
        let mut errors = Vec::new();
        check_signature(&self.sig, self.attribute, &mut errors);
        check_not_main(&self.sig, self.attribute, &mut errors);
        check_attributes(self, &mut errors);
        check_not_associated(self, &mut errors);
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
    // With the feature, `expand::run_async` drives it on the runtime's
    // tokio runtime for async cleanups.
    if let Some(asyncness) = sig.asyncness.as_ref().filter(|_| !cfg!(feature = "tokio")) {
        errors.push(Error::new_spanned(
            asyncness,
            format!(
                "{attribute} on an `async fn` needs the `tokio` feature of cleanup-runtime: \
                 `cleanup-runtime = {{ version = \"...\", features = [\"tokio\"] }}` \
                 (or make it a plain `fn`)"
            ),
        ));
    }
    // `extern "Rust"` is the ABI a plain `fn` has: nothing to reject.
    let rust_abi = sig
        .abi
        .as_ref()
        .and_then(|abi| abi.name.as_ref())
        .is_some_and(|name| literal::string(name).is_ok_and(|text| text.value == "Rust"));
    if let Some(abi) = sig.abi.as_ref().filter(|_| !rust_abi) {
        let written = abi.tokens.to_string();
        errors.push(Error::new_spanned(
            &abi.tokens,
            format!(
                "{attribute} cannot be used on a function with an explicit ABI: the \
                 runtime calls it as a Rust function; remove `{written}`"
            ),
        ));
    }
    if let Some(generics) = sig.generics.as_ref().filter(|g| !g.params.is_empty()) {
        let message = if generics.lifetimes_only() {
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
        errors.push(Error::new_spanned(&generics.tokens, message));
    }
    if let Some(where_clause) = &sig.where_clause {
        errors.push(Error::new_spanned(
            where_clause,
            format!("{attribute} cannot be used on a function with a `where` clause"),
        ));
    }
    if let Some(receiver) = &sig.receiver {
        errors.push(Error::new_spanned(
            receiver,
            format!(
                "{attribute} cannot be used on a method: the runtime has no `self` to \
                 call it on; use a free function"
            ),
        ));
    }
    if !sig.params.is_empty() {
        // From the first parameter's first token to the last one's last.
        let params: TokenStream = sig.params.iter().cloned().collect();
        errors.push(Error::new_spanned(
            &params,
            format!(
                "{attribute} cannot be used on a function with parameters: the runtime \
                 calls it with no arguments"
            ),
        ));
    }
    if let Some(output) = &sig.output {
        let output = ungroup(output.clone());
        let mut tokens = output.clone().into_iter();
        if is_punct(tokens.next().as_ref(), '!') && tokens.next().is_none() {
            errors.push(Error::new_spanned(
                &output,
                format!(
                    "{attribute} cannot be used on a function that never returns (`-> !`): \
                     the cleanups after it would never run; return `()` and end the \
                     process elsewhere, or use `cleanup_runtime::exit`"
                ),
            ));
        }
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(Error::new_spanned(
            variadic,
            format!("{attribute} cannot be used on a variadic function"),
        ));
    }
}

/// `#[at_exit] fn main()` would run `main` a second time at exit.
///
/// The macro cannot tell the crate root from a module, so any function
/// named `main` is refused: a cleanup called `main` elsewhere is rare, and
/// renaming it is cheap.
fn check_not_main(sig: &Signature, attribute: Macro, errors: &mut Vec<Error>) {
    if ident_is(&sig.ident, "main") {
        errors.push(Error::new_spanned(
            &sig.ident,
            format!(
                "{attribute} cannot be used on `main`: the program's entry point would \
                 run a second time at exit; put the cleanup in a function of its own"
            ),
        ));
    }
}

/// Attributes of the function that make the generated call wrong.
fn check_attributes(function: &Function, errors: &mut Vec<Error>) {
    let attribute = function.attribute;
    for attr in &function.sig.attrs {
        // `#[test]`, `#[tokio::test]`, ...: the function exists only in
        // test builds (elsewhere the registration would name a function
        // that is gone), and the harness already calls it.
        if attr.path().last().is_some_and(|segment| segment == "test") {
            errors.push(Error::new_spanned(
                attr,
                format!(
                    "{attribute} cannot be used on a test: the harness runs it, and \
                     outside test builds the function does not exist; declare the cleanup \
                     on a function of its own (under `#[cfg(test)]` if it is only for tests)"
                ),
            ));
        }
        if attr.is("target_feature") {
            errors.push(Error::new_spanned(
                attr,
                format!(
                    "{attribute} cannot be used on a function with `#[target_feature]`: \
                     calling it is only safe where the CPU has the feature, which the \
                     runtime cannot know; call it from a plain cleanup function after \
                     checking (`is_x86_feature_detected!`)"
                ),
            ));
        }
    }
}

/// A function that mentions `Self` is a method or associated function of
/// a `trait` or `impl`, which the runtime cannot call. (One that does not
/// mention it cannot be told apart from a free function here; rustc then
/// reports that the function is not found in scope, on the function's
/// name.)
fn check_not_associated(function: &Function, errors: &mut Vec<Error>) {
    if let Some(self_type) = find_self_type(function.tokens.clone()) {
        errors.push(Error::new(
            self_type.span(),
            format!(
                "{} cannot be used on a method or associated function (this one uses \
                 `Self`): the runtime calls free functions; declare a free function \
                 that calls this one",
                function.attribute
            ),
        ));
    }
}

fn find_self_type(tokens: TokenStream) -> Option<Ident> {
    tokens.into_iter().find_map(|token| match token {
        TokenTree::Ident(ident) if ident_is(&ident, "Self") => Some(ident),
        TokenTree::Group(group) => find_self_type(group.stream()),
        _ => None,
    })
}

/// `#[at_exit] #[cleanup(name = "x")] fn f()` would register `f` twice: the
/// outer attribute sees the inner one among the function's attributes.
fn check_registered_once(function: &Function, errors: &mut Vec<Error>) {
    for attr in &function.sig.attrs {
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
fn cleanup_attribute(path: &[String]) -> Option<Macro> {
    let last = match path {
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
