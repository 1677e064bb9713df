//! Errors on the offending tokens, reported several at once.
//!
//! Each message becomes `::core::compile_error! { "..." }` whose path is
//! spanned on the first offending token and whose braces on the last, so
//! rustc underlines the whole range (as `syn::Error::new_spanned` does).

use std::fmt::{self, Display};

use crate::tokens::{
    Delimiter, Group, Ident, Literal, Punct, Spacing, Span, ToTokens, TokenStream, TokenTree,
};

/// One or more compile errors.
#[derive(Debug)]
pub(crate) struct Error {
    messages: Vec<Message>,
}

#[derive(Debug)]
struct Message {
    start: Span,
    end: Span,
    text: String,
}

pub(crate) type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error at `span`.
    pub(crate) fn new(span: Span, message: impl Display) -> Self {
        Error {
            messages: vec![Message {
                start: span,
                end: span,
                text: message.to_string(),
            }],
        }
    }

    /// An error from the first to the last of `tokens` (at the macro's call
    /// site if there are none).
    pub(crate) fn new_spanned(tokens: &dyn ToTokens, message: impl Display) -> Self {
        let mut tokens = tokens.to_tokens().into_iter();
        let start = tokens
            .next()
            .map_or_else(Span::call_site, |token| token.span());
        let end = tokens.last().map_or(start, |token| token.span());
        Error {
            messages: vec![Message {
                start,
                end,
                text: message.to_string(),
            }],
        }
    }

    /// Adds `other`'s messages after this one's.
    pub(crate) fn combine(&mut self, other: Error) {
        self.messages.extend(other.messages);
    }

    /// One `::core::compile_error! { "..." }` per message.
    pub(crate) fn to_compile_error(&self) -> TokenStream {
        self.messages.iter().flat_map(Message::to_tokens).collect()
    }
}

impl Message {
    fn to_tokens(&self) -> Vec<TokenTree> {
        let start = self.start;
        let punct = |ch, spacing| {
            let mut punct = Punct::new(ch, spacing);
            punct.set_span(start);
            TokenTree::Punct(punct)
        };
        let mut text = Literal::string(&self.text);
        text.set_span(self.end);
        let mut group = Group::new(Delimiter::Brace, TokenTree::Literal(text).into());
        group.set_span(self.end);
        vec![
            punct(':', Spacing::Joint),
            punct(':', Spacing::Alone),
            TokenTree::Ident(Ident::new("core", start)),
            punct(':', Spacing::Joint),
            punct(':', Spacing::Alone),
            TokenTree::Ident(Ident::new("compile_error", start)),
            punct('!', Spacing::Alone),
            TokenTree::Group(group),
        ]
    }
}

/// The messages, one a line (for tests and panics).
impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<&str> = self.messages.iter().map(|m| m.text.as_str()).collect();
        f.write_str(&texts.join("\n"))
    }
}

/// All the errors as one, or `None` if there are none.
pub(crate) fn combine(errors: impl IntoIterator<Item = Error>) -> Option<Error> {
    errors.into_iter().reduce(|mut all, error| {
        all.combine(error);
        all
    })
}

/// Both values, or the errors of both: a bad option and a bad signature are
/// reported together.
pub(crate) fn both<A, B>(a: Result<A>, b: Result<B>) -> Result<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(combine(a.err().into_iter().chain(b.err())).expect("one of them failed")),
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Error, combine};
    use crate::tokens::{Span, TokenTree};

    #[test]
    fn a_message_is_a_compile_error_call_and_several_follow_each_other() {
        let one = Error::new_spanned(&quote!(a b c), "first");
        let two = Error::new(Span::call_site(), "second \"quoted\"");
        let all = combine([one, two]).expect("two errors");
        assert_eq!(all.to_string(), "first\nsecond \"quoted\"");
        let tokens: Vec<TokenTree> = all.to_compile_error().into_iter().collect();
        assert_eq!(tokens.len(), 16);
        assert_eq!(
            all.to_compile_error().to_string(),
            ":: core :: compile_error ! { \"first\" } \
             :: core :: compile_error ! { \"second \\\"quoted\\\"\" }"
        );
    }
}
