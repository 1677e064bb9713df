//! The token types every other file uses: the compiler's own
//! (`proc_macro`) in the real build, and `proc_macro2`'s under `cfg(test)`,
//! where unit tests run outside the compiler and `proc_macro`'s types
//! cannot be made. Only what both offer is used (no `Span::join`, no
//! `Literal::subspan`: they are not stable in `proc_macro`), so the code
//! above compiles against either.

#[cfg(not(test))]
pub(crate) use proc_macro::{
    Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree,
};
#[cfg(test)]
pub(crate) use proc_macro2::{
    Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree,
};

/// Whether `ident` is the identifier (or keyword) `word` as written
/// (`r#x` is not `x`): `proc_macro::Ident` has no `==`.
/// (Clippy's `cmp_owned` sees `proc_macro2`'s `==` in the unit tests'
/// build; the real build has none to use.)
#[allow(clippy::cmp_owned)]
pub(crate) fn ident_is(ident: &Ident, word: &str) -> bool {
    ident.to_string() == word
}

/// Where a span is: the file as the compiler names it, and the 1-based
/// line and column of its start.
pub(crate) struct Location {
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Where `span` starts.
#[cfg(not(test))]
pub(crate) fn location(span: Span) -> Location {
    Location {
        file: span.file(),
        line: span.line(),
        column: span.column(),
    }
}

/// Unit tests run outside the compiler, where a span has no place: a fixed
/// one stands in.
#[cfg(test)]
pub(crate) fn location(_span: Span) -> Location {
    Location {
        file: "src/lib.rs".to_owned(),
        line: 1,
        column: 1,
    }
}

/// Tokens an error can be spanned over (first to last), and that the
/// expansion can splice in: what `quote::ToTokens` did for this crate.
pub(crate) trait ToTokens {
    fn to_tokens(&self) -> TokenStream;
}

impl ToTokens for TokenStream {
    fn to_tokens(&self) -> TokenStream {
        self.clone()
    }
}

impl ToTokens for Ident {
    fn to_tokens(&self) -> TokenStream {
        TokenTree::Ident(self.clone()).into()
    }
}

impl ToTokens for Literal {
    fn to_tokens(&self) -> TokenStream {
        TokenTree::Literal(self.clone()).into()
    }
}
