//! A cursor over a token stream, with the few lookaheads the readers need.
//!
//! The compiler hands out single-character punctuation (`::` is two `:`,
//! `->` a `-` joined to a `>`), and `<`/`>` are not groups: where a type or
//! a path may hold them, [`Cursor::take_until`] counts their depth so that
//! a `,`, `where` or `{` inside `Vec<T, U>` or `F: Fn() -> T` is not taken
//! for the end.

use crate::tokens::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree, ident_is};

/// The tokens of one stream (not entering groups) and a position in them.
pub(crate) struct Cursor {
    tokens: Vec<TokenTree>,
    at: usize,
}

impl Cursor {
    pub(crate) fn new(tokens: TokenStream) -> Self {
        Cursor {
            tokens: tokens.into_iter().collect(),
            at: 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.at >= self.tokens.len()
    }

    pub(crate) fn peek(&self) -> Option<&TokenTree> {
        self.peek_nth(0)
    }

    /// The token `n` places ahead (`0` is the next one).
    pub(crate) fn peek_nth(&self, n: usize) -> Option<&TokenTree> {
        self.tokens.get(self.at + n)
    }

    pub(crate) fn next(&mut self) -> Option<TokenTree> {
        let token = self.tokens.get(self.at).cloned();
        self.at += usize::from(token.is_some());
        token
    }

    /// The next token if it is the punctuation `ch`.
    pub(crate) fn peek_punct(&self, ch: char) -> Option<&Punct> {
        match self.peek() {
            Some(TokenTree::Punct(punct)) if punct.as_char() == ch => Some(punct),
            _ => None,
        }
    }

    pub(crate) fn eat_punct(&mut self, ch: char) -> Option<Punct> {
        let punct = self.peek_punct(ch)?.clone();
        self.at += 1;
        Some(punct)
    }

    /// Whether the next tokens are `::`.
    pub(crate) fn peek_path_sep(&self) -> bool {
        is_joint(self.peek(), ':') && is_punct(self.peek_nth(1), ':')
    }

    /// Whether the next tokens are `->`.
    pub(crate) fn peek_arrow(&self) -> bool {
        is_joint(self.peek(), '-') && is_punct(self.peek_nth(1), '>')
    }

    /// Whether the next token is the identifier (or keyword) `word`.
    pub(crate) fn peek_ident(&self, word: &str) -> bool {
        matches!(self.peek(), Some(TokenTree::Ident(ident)) if ident_is(ident, word))
    }

    pub(crate) fn eat_ident(&mut self, word: &str) -> Option<Ident> {
        match self.peek() {
            Some(TokenTree::Ident(ident)) if ident_is(ident, word) => {
                let ident = ident.clone();
                self.at += 1;
                Some(ident)
            }
            _ => None,
        }
    }

    /// The next token if it is a group with `delimiter`.
    pub(crate) fn eat_group(&mut self, delimiter: Delimiter) -> Option<Group> {
        match self.peek() {
            Some(TokenTree::Group(group)) if group.delimiter() == delimiter => {
                let group = group.clone();
                self.at += 1;
                Some(group)
            }
            _ => None,
        }
    }

    /// The tokens up to the first one, outside any `<...>`, for which
    /// `stop` holds (or to the end); that token is left in place.
    pub(crate) fn take_until(&mut self, stop: impl Fn(&TokenTree) -> bool) -> TokenStream {
        let mut taken = TokenStream::new();
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            if depth == 0 && stop(token) {
                break;
            }
            if self.peek_arrow() || (is_joint(Some(token), '=') && is_punct(self.peek_nth(1), '>'))
            {
                // `->` and `=>` hold a `>` that closes nothing.
                taken.extend(self.next());
            } else if is_punct(Some(token), '<') {
                depth += 1;
            } else if is_punct(Some(token), '>') {
                depth = depth.saturating_sub(1);
            }
            taken.extend(self.next());
        }
        taken
    }

    /// `<...>` up to its matching `>`, if the next token is `<` and it is
    /// closed; otherwise nothing is taken.
    pub(crate) fn take_angle_brackets(&mut self) -> Option<TokenStream> {
        self.peek_punct('<')?;
        let start = self.at;
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            if self.peek_arrow() {
                self.at += 2;
                continue;
            }
            if is_punct(Some(token), '<') {
                depth += 1;
            } else if is_punct(Some(token), '>') {
                depth -= 1;
                if depth == 0 {
                    self.at += 1;
                    return Some(self.tokens[start..self.at].iter().cloned().collect());
                }
            }
            self.at += 1;
        }
        self.at = start;
        None
    }

    /// Where the cursor is, to come back to or take from with [`Cursor::since`].
    pub(crate) fn position(&self) -> usize {
        self.at
    }

    /// The tokens from `position` to where the cursor is now.
    pub(crate) fn since(&self, position: usize) -> TokenStream {
        self.tokens[position..self.at].iter().cloned().collect()
    }
}

/// Whether `token` is the punctuation `ch`.
pub(crate) fn is_punct(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct)) if punct.as_char() == ch)
}

/// Whether `token` is `ch` joined to the next one (the first of `::`, `->`).
fn is_joint(token: Option<&TokenTree>, ch: char) -> bool {
    matches!(token, Some(TokenTree::Punct(punct))
        if punct.as_char() == ch && punct.spacing() == Spacing::Joint)
}

/// The tokens inside any number of invisible groups wrapping the whole of
/// `tokens`: rustc hands a `macro_rules!` fragment (`$x:expr`, `$p:path`,
/// `$t:ty`, `$v:vis`, ...) to a macro in a `Delimiter::None` group, which
/// means exactly what its tokens written out mean.
pub(crate) fn ungroup(tokens: TokenStream) -> TokenStream {
    let mut trees = tokens.clone().into_iter();
    match (trees.next(), trees.next()) {
        (Some(TokenTree::Group(group)), None) if group.delimiter() == Delimiter::None => {
            ungroup(group.stream())
        }
        _ => tokens,
    }
}

/// `ident` without its `r#` (a raw identifier names the same thing).
pub(crate) fn unraw(ident: &Ident) -> String {
    let text = ident.to_string();
    match text.strip_prefix("r#") {
        Some(bare) => bare.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Cursor, is_punct};
    use crate::tokens::TokenTree;

    #[test]
    fn take_until_skips_what_is_inside_angle_brackets_and_arrows() {
        let mut cursor = Cursor::new(quote!(a: HashMap<K, V>, f: impl Fn(u8) -> Vec<u8>, c));
        let stop = |token: &TokenTree| is_punct(Some(token), ',');
        assert_eq!(cursor.take_until(stop).to_string(), "a : HashMap < K , V >");
        cursor.next();
        assert_eq!(
            cursor.take_until(stop).to_string(),
            "f : impl Fn (u8) -> Vec < u8 >"
        );
        cursor.next();
        assert_eq!(cursor.take_until(stop).to_string(), "c");
        assert!(cursor.is_empty());
    }

    #[test]
    fn angle_brackets_are_taken_only_when_closed() {
        let mut cursor = Cursor::new(quote!(<F: Fn() -> T, U> rest));
        let generics = cursor.take_angle_brackets().expect("closed");
        assert_eq!(generics.to_string(), "< F : Fn () -> T , U >");
        assert!(cursor.peek_ident("rest"));
        let mut open = Cursor::new(quote!(< a b));
        assert!(open.take_angle_brackets().is_none());
        assert!(open.peek_punct('<').is_some());
    }
}
