//! The generated code, written as Rust source with placeholders: what
//! `quote!` did, without the crate.
//!
//! A [`Template`] is text such as `const $name: () = { $body };`. Filling
//! it parses the text once (`str::parse::<TokenStream>`, the compiler's own
//! lexer) and puts the given tokens where `$name` and `$body` are, inside
//! groups too. The tokens put in keep their own spans, so an error in the
//! user's code still points at it; the template's tokens get the
//! attribute's (`Span::call_site()`, as with `quote!`), or with
//! [`Template::fill_at`] one chosen span (as with `quote_spanned!`).
//!
//! A template that does not parse, names a placeholder it is not given, or
//! is given one it does not name is a bug in this crate: it panics, naming
//! the template. The unit tests fill every template, so none of that can
//! reach a user.

use crate::tokens::{Group, Span, ToTokens, TokenStream, TokenTree};

/// Rust source with `$placeholder`s, and a name for panics.
pub(crate) struct Template {
    name: &'static str,
    text: &'static str,
}

/// What a placeholder is replaced by: `("name", &tokens)`.
pub(crate) type Arg<'a> = (&'a str, &'a dyn ToTokens);

impl Template {
    pub(crate) const fn new(name: &'static str, text: &'static str) -> Self {
        Template { name, text }
    }

    /// The template's tokens at the attribute (`Span::call_site()`), each
    /// `$placeholder` replaced.
    pub(crate) fn fill(&self, args: &[Arg<'_>]) -> TokenStream {
        self.expand(None, args)
    }

    /// The same, with every token of the template (not of `args`) at `span`.
    pub(crate) fn fill_at(&self, span: Span, args: &[Arg<'_>]) -> TokenStream {
        self.expand(Some(span), args)
    }

    fn expand(&self, span: Option<Span>, args: &[Arg<'_>]) -> TokenStream {
        let parsed: TokenStream = self
            .text
            .parse()
            .unwrap_or_else(|_| self.bug("does not parse as Rust tokens"));
        let mut used = vec![false; args.len()];
        let tokens = self.splice(parsed, span, args, &mut used);
        if let Some(index) = used.iter().position(|used| !used) {
            self.bug(&format!("has no `${}`", args[index].0));
        }
        tokens
    }

    fn splice(
        &self,
        tokens: TokenStream,
        span: Option<Span>,
        args: &[Arg<'_>],
        used: &mut [bool],
    ) -> TokenStream {
        let mut out = TokenStream::new();
        let mut tokens = tokens.into_iter();
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Punct(punct) if punct.as_char() == '$' => {
                    let Some(TokenTree::Ident(name)) = tokens.next() else {
                        self.bug("has a `$` not followed by a name");
                    };
                    let name = name.to_string();
                    let Some(index) = args.iter().position(|(arg, _)| *arg == name) else {
                        self.bug(&format!("is not given `${name}`"));
                    };
                    used[index] = true;
                    out.extend(args[index].1.to_tokens());
                }
                TokenTree::Group(group) => {
                    let inside = self.splice(group.stream(), span, args, used);
                    let mut spliced = Group::new(group.delimiter(), inside);
                    spliced.set_span(span.unwrap_or_else(|| group.span()));
                    out.extend([TokenTree::Group(spliced)]);
                }
                mut token => {
                    if let Some(span) = span {
                        token.set_span(span);
                    }
                    out.extend([token]);
                }
            }
        }
        out
    }

    fn bug(&self, what: &str) -> ! {
        panic!(
            "cleanup-macros: the template `{}` {what}; this is a bug in cleanup-macros, \
             please report it",
            self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use std::panic::catch_unwind;

    use quote::quote;

    use super::Template;
    use crate::tokens::{Ident, Literal, Span, TokenStream, TokenTree};

    const CALL: Template = Template::new("call", "::m::f($arg, [$arg]) + $other");

    #[test]
    fn placeholders_are_replaced_inside_groups_too_and_may_repeat() {
        let tokens = CALL.fill(&[("arg", &quote!(a + 1)), ("other", &Literal::u8_suffixed(3))]);
        assert_eq!(tokens.to_string(), ":: m :: f (a + 1 , [a + 1]) + 3u8");
        let empty = CALL.fill(&[("arg", &TokenStream::new()), ("other", &quote!(x))]);
        assert_eq!(empty.to_string(), ":: m :: f (, []) + x");
    }

    #[test]
    fn fill_at_keeps_the_shape_and_the_spliced_tokens() {
        // Outside the compiler spans cannot be told apart; that template
        // tokens take the chosen span and spliced ones keep theirs is
        // pinned by the UI tests (cleanup-runtime/tests/ui), which show
        // where each error points.
        let own = Ident::new("own", Span::mixed_site());
        let spliced = Template::new("t", "x ($own)").fill_at(Span::mixed_site(), &[("own", &own)]);
        let trees: Vec<TokenTree> = spliced.into_iter().collect();
        assert_eq!(trees.len(), 2);
        let TokenTree::Group(group) = &trees[1] else {
            panic!("a group");
        };
        assert_eq!(group.stream().to_string(), "own");
    }

    #[test]
    fn a_broken_template_panics_naming_it() {
        let message = |template: &'static str, args: &[&str]| {
            let error = catch_unwind(|| {
                let tokens = quote!(t);
                let args: Vec<super::Arg<'_>> =
                    args.iter().map(|name| (*name, &tokens as _)).collect();
                Template::new("broken", template).fill(&args)
            })
            .expect_err("a panic");
            error.downcast_ref::<String>().cloned().unwrap_or_default()
        };
        assert!(message("f(", &[]).contains("`broken` does not parse"));
        assert!(message("f($x)", &[]).contains("`broken` is not given `$x`"));
        assert!(message("f()", &["x"]).contains("`broken` has no `$x`"));
        assert!(message("f($)", &[]).contains("`broken` has a `$` not followed"));
    }
}
