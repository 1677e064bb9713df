//! An outer attribute of the annotated function (`#[...]`) and its path.

use crate::cursor::{Cursor, ungroup};
use crate::tokens::{Delimiter, Group, Punct, ToTokens, TokenStream, TokenTree};

/// `#[path ...]` as written.
pub(crate) struct Attribute {
    pound: Punct,
    brackets: Group,
    /// The path's segments as written (`r#x` stays `r#x`), without a
    /// leading `::`.
    path: Vec<String>,
    /// The path starts with `::`.
    leading_colon: bool,
}

impl Attribute {
    /// An outer attribute at the cursor, if there is one.
    pub(crate) fn read(cursor: &mut Cursor) -> Option<Self> {
        let is_outer = matches!(cursor.peek_nth(1), Some(TokenTree::Group(group))
            if group.delimiter() == Delimiter::Bracket);
        if cursor.peek_punct('#').is_none() || !is_outer {
            return None;
        }
        let pound = cursor.eat_punct('#')?;
        let brackets = cursor.eat_group(Delimiter::Bracket)?;
        // `#[$m]` with `$m:meta` arrives as an invisible group.
        let mut inside = Cursor::new(ungroup(brackets.stream()));
        let leading_colon = inside.peek_path_sep();
        let mut path = Vec::new();
        loop {
            if inside.peek_path_sep() {
                inside.next();
                inside.next();
            } else if !path.is_empty() {
                break;
            }
            match inside.next() {
                Some(TokenTree::Ident(ident)) => path.push(ident.to_string()),
                _ => break,
            }
        }
        Some(Attribute {
            pound,
            brackets,
            path,
            leading_colon,
        })
    }

    /// Whether the path is the single identifier `name` (`#[cfg(...)]`).
    pub(crate) fn is(&self, name: &str) -> bool {
        !self.leading_colon && self.path.len() == 1 && self.path[0] == name
    }

    /// The path's segments.
    pub(crate) fn path(&self) -> &[String] {
        &self.path
    }
}

impl ToTokens for Attribute {
    fn to_tokens(&self) -> TokenStream {
        [
            TokenTree::Punct(self.pound.clone()),
            TokenTree::Group(self.brackets.clone()),
        ]
        .into_iter()
        .collect()
    }
}
