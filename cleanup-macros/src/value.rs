//! The values of the options, read the same however they were handed in:
//! written out, or through a `macro_rules!` fragment.
//!
//! rustc hands a `$n:literal`, `$x:expr` or `$p:path` fragment to the
//! attribute wrapped in an invisible group (`Delimiter::None`), which syn
//! reads as an [`Expr::Group`]. A fragment means exactly what the tokens
//! written out mean, so every value is looked at through [`ungroup`]; the
//! tokens inside keep their own spans, so errors still point at the value
//! where the caller of the macro wrote it.
//!
//! Both `args.rs` and `order.rs` read values with these; neither imports
//! the other's parsing.

use syn::{Error, Expr, ExprLit, Lit, LitStr, Result};

/// The expression inside any number of invisible groups.
pub(crate) fn ungroup(value: &Expr) -> &Expr {
    match value {
        Expr::Group(group) if group.attrs.is_empty() => ungroup(&group.expr),
        other => other,
    }
}

/// The same, taking the expression.
pub(crate) fn into_ungrouped(value: Expr) -> Expr {
    match value {
        Expr::Group(group) if group.attrs.is_empty() => into_ungrouped(*group.expr),
        other => other,
    }
}

/// The value as a plain string literal, or an error on it that shows the
/// `example` of the `key`'s form.
pub(crate) fn string_literal<'a>(value: &'a Expr, key: &str, example: &str) -> Result<&'a LitStr> {
    let value = ungroup(value);
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(literal),
            attrs,
        }) => {
            if !attrs.is_empty() {
                return Err(Error::new_spanned(
                    value,
                    format!("`{key}` must be a plain string literal, without attributes"),
                ));
            }
            if !literal.suffix().is_empty() {
                return Err(Error::new_spanned(
                    literal,
                    format!("`{key}` must be a string literal without a suffix"),
                ));
            }
            Ok(literal)
        }
        // `concat!(...)`, `stringify!(...)`, `env!(...)`: an attribute's
        // arguments are tokens, read before any macro in them is expanded.
        Expr::Macro(call) => Err(Error::new_spanned(
            value,
            format!(
                "`{key}` must be a string literal, like `{key} = {example}`: macros such as \
                 `{}!` are not expanded in an attribute's options; write the string itself \
                 (a `macro_rules!` can pass it in as a `$x:literal`)",
                call.mac
                    .path
                    .segments
                    .last()
                    .map_or_else(String::new, |segment| segment.ident.to_string())
            ),
        )),
        _ => Err(Error::new_spanned(
            value,
            format!("`{key}` must be a string literal, like `{key} = {example}`"),
        )),
    }
}

/// The text of a cleanup's name (`what` says where it was written, for the
/// message): not empty, not only whitespace, no whitespace at either end
/// (a name is matched exactly, so `"db "` would never meet `"db"`), no
/// control characters.
pub(crate) fn check_text(literal: &LitStr, what: &str) -> Result<String> {
    let text = literal.value();
    if text.is_empty() {
        return Err(Error::new_spanned(
            literal,
            format!("{what} must not be empty"),
        ));
    }
    if text.trim().is_empty() {
        return Err(Error::new_spanned(
            literal,
            format!("{what} must not be only whitespace"),
        ));
    }
    if let Some(control) = text.chars().find(|c| c.is_control()) {
        return Err(Error::new_spanned(
            literal,
            format!("{what} must not contain control characters, found {control:?}"),
        ));
    }
    if text.trim() != text {
        return Err(Error::new_spanned(
            literal,
            format!(
                "{what} must not start or end with whitespace: names are matched exactly, \
                 so {text:?} would never meet {:?}; write {:?}",
                text.trim(),
                text.trim()
            ),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
    use quote::quote;
    use syn::Expr;

    use super::{check_text, string_literal, ungroup};

    /// `tokens` as rustc hands over a fragment: in an invisible group.
    fn fragment(tokens: TokenStream) -> Expr {
        let group = TokenTree::Group(Group::new(Delimiter::None, tokens));
        syn::parse2(TokenStream::from(group)).expect("an expression")
    }

    #[test]
    fn a_fragment_reads_as_the_literal_written_out() {
        let value = fragment(quote!("close-db"));
        assert!(matches!(value, Expr::Group(_)));
        let literal = string_literal(&value, "name", "\"x\"").expect("a string literal");
        assert_eq!(literal.value(), "close-db");
        // Nested, as a fragment handed on by a second macro arrives.
        let nested = fragment(TokenStream::from(TokenTree::Group(Group::new(
            Delimiter::None,
            quote!("drain"),
        ))));
        assert!(matches!(ungroup(&nested), Expr::Lit(_)));
    }

    #[test]
    fn a_macro_in_an_option_is_refused_with_a_word_on_why() {
        let value: Expr = syn::parse2(quote!(concat!("a", "b"))).expect("an expression");
        let Err(error) = string_literal(&value, "name", "\"x\"") else {
            panic!("a macro read as a literal");
        };
        assert!(
            error.to_string().contains("`concat!` are not expanded"),
            "{error}"
        );
    }

    #[test]
    fn names_are_refused_with_whitespace_at_either_end() {
        for text in [" db", "db ", "\u{a0}db"] {
            let literal = syn::LitStr::new(text, proc_macro2::Span::call_site());
            assert!(check_text(&literal, "`name`").is_err(), "{text:?}");
        }
        let literal = syn::LitStr::new("db pool", proc_macro2::Span::call_site());
        assert_eq!(
            check_text(&literal, "`name`").expect("inner space"),
            "db pool"
        );
    }
}
