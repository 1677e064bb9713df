//! The values of the options, read from their tokens the same however they
//! were handed in: written out, or through a `macro_rules!` fragment.
//!
//! rustc hands a `$n:literal`, `$x:expr` or `$p:path` fragment to the
//! attribute wrapped in an invisible group (`Delimiter::None`). A fragment
//! means exactly what the tokens written out mean, so a value is read
//! inside any such groups; the tokens inside keep their own spans, so
//! errors still point at the value where the caller of the macro wrote it.
//!
//! A value is told apart by its first tokens only, which is all the
//! options need: a literal, a path (with or without generics), an array of
//! values, a macro call, or some other expression. An expression goes on to
//! the next `,` when what follows can continue it (`2 + 2`, `DB.trim()`);
//! a word or a literal cannot, and is left for the caller to report as a
//! missing `,`.
//!
//! Both `args.rs` and `order.rs` read values with these; neither imports
//! the other's parsing.

use crate::cursor::{Cursor, is_punct, ungroup};
use crate::error::{Error, Result};
use crate::literal::{self, NotText};
use crate::tokens::{Delimiter, Literal, Span, ToTokens, TokenStream, TokenTree, ident_is};

/// An option's value, as written.
pub(crate) struct Value {
    /// Its tokens, outside any invisible group around the whole.
    pub(crate) tokens: TokenStream,
    pub(crate) kind: Kind,
}

/// What a value is, as far as the options care.
pub(crate) enum Kind {
    /// `"text"`, `42`, `'c'`, `b"bytes"`, ...
    Literal(Literal),
    /// `true` or `false`.
    Bool,
    /// `a::b::C`, `::a`, `crate::x`; `plain` is false for one with generics
    /// (`Vec::<u8>::X`, `a::B<T>`) or a qualified self (`<T as U>::X`).
    Path { plain: bool },
    /// `[a, b]`.
    Array(Vec<Value>),
    /// `name!(...)`, with the macro's name.
    Macro(String),
    /// Anything else.
    Other,
}

impl ToTokens for Value {
    fn to_tokens(&self) -> TokenStream {
        self.tokens.clone()
    }
}

/// Keywords that start an expression rather than a path.
const EXPRESSION_KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "dyn", "else", "enum", "extern",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "try", "type", "unsafe", "use", "where", "while",
    "yield",
];

/// One value at the cursor, after `key =` (`eq` is the `=`, where a
/// missing value is reported). It ends before a `,` or a token that cannot
/// go on with it.
pub(crate) fn read(cursor: &mut Cursor, eq: Span, key: &str) -> Result<Value> {
    let start = cursor.position();
    let kind = match cursor.peek() {
        None => {
            return Err(Error::new(eq, format!("expected a value after `{key} =`")));
        }
        Some(token) if is_punct(Some(token), ',') => {
            return Err(Error::new(
                token.span(),
                format!("expected a value after `{key} =`, found `,`"),
            ));
        }
        Some(TokenTree::Literal(_)) => match cursor.next() {
            Some(TokenTree::Literal(literal)) => Kind::Literal(literal),
            _ => unreachable!("peeked a literal"),
        },
        Some(TokenTree::Group(group)) => {
            let group = group.clone();
            cursor.next();
            match group.delimiter() {
                Delimiter::None => {
                    let mut inside = Cursor::new(group.stream());
                    let value = read(&mut inside, group.span(), key)?;
                    if inside.is_empty() {
                        return Ok(continued(cursor, start, value));
                    }
                    Kind::Other
                }
                Delimiter::Bracket => Kind::Array(read_list(group.stream(), group.span(), key)?),
                _ => Kind::Other,
            }
        }
        Some(TokenTree::Ident(ident)) if ident_is(ident, "true") || ident_is(ident, "false") => {
            cursor.next();
            Kind::Bool
        }
        Some(TokenTree::Ident(ident))
            if EXPRESSION_KEYWORDS
                .iter()
                .any(|keyword| ident_is(ident, keyword)) =>
        {
            to_comma(cursor);
            Kind::Other
        }
        Some(_) => {
            let kind = read_path(cursor);
            if cursor.position() == start {
                to_comma(cursor);
                Kind::Other
            } else {
                kind
            }
        }
    };
    let value = Value {
        tokens: cursor.since(start),
        kind,
    };
    Ok(continued(cursor, start, value))
}

/// `value`, or, where the next token goes on with it (an operator, a call,
/// an index, a field), the whole expression up to the next `,`.
fn continued(cursor: &mut Cursor, start: usize, value: Value) -> Value {
    match cursor.peek() {
        Some(TokenTree::Punct(punct)) if punct.as_char() != ',' => {}
        Some(TokenTree::Group(_)) => {}
        _ => return value,
    }
    to_comma(cursor);
    Value {
        tokens: ungroup(cursor.since(start)),
        kind: Kind::Other,
    }
}

fn to_comma(cursor: &mut Cursor) {
    while cursor.peek().is_some() && cursor.peek_punct(',').is_none() {
        cursor.next();
    }
}

/// `a::b::C`, `::a`, `Vec::<u8>::X`, `a::B<T>`, `<T as U>::X`, and a macro
/// call `a::m!(...)`.
fn read_path(cursor: &mut Cursor) -> Kind {
    if !matches!(cursor.peek(), Some(TokenTree::Ident(_)))
        && !cursor.peek_path_sep()
        && cursor.peek_punct('<').is_none()
    {
        return Kind::Other;
    }
    // A qualified self, `<T as U>::`.
    let mut plain = cursor.take_angle_brackets().is_none();
    let mut last = None;
    loop {
        if cursor.peek_path_sep() {
            cursor.next();
            cursor.next();
            if cursor.take_angle_brackets().is_some() {
                plain = false;
                continue;
            }
        } else if last.is_some() {
            break;
        }
        match cursor.peek() {
            Some(TokenTree::Ident(ident)) => {
                last = Some(ident.to_string());
                cursor.next();
                // Type-style generics, as a `$p:path` fragment may hold.
                if cursor.take_angle_brackets().is_some() {
                    plain = false;
                }
            }
            _ => break,
        }
    }
    let is_call = matches!(cursor.peek_nth(1), Some(TokenTree::Group(group))
        if group.delimiter() != Delimiter::None);
    if cursor.peek_punct('!').is_some() && is_call {
        cursor.next();
        cursor.next();
        return Kind::Macro(last.unwrap_or_default());
    }
    Kind::Path { plain }
}

/// The elements of an array `[a, b, ...]` (its contents `tokens`, its
/// brackets at `span`).
fn read_list(tokens: TokenStream, span: Span, key: &str) -> Result<Vec<Value>> {
    let mut cursor = Cursor::new(tokens);
    let mut values = Vec::new();
    while !cursor.is_empty() {
        values.push(read(&mut cursor, span, key)?);
        if cursor.is_empty() {
            break;
        }
        expect_comma(&mut cursor, &format!("between the names in `{key}`"))?;
    }
    Ok(values)
}

/// The `,` at the cursor, or an error on the token there, saying `where`
/// one was expected.
pub(crate) fn expect_comma(cursor: &mut Cursor, place: &str) -> Result<()> {
    if cursor.eat_punct(',').is_some() {
        return Ok(());
    }
    let token = cursor.next().expect("not at the end");
    Err(Error::new(
        token.span(),
        format!("expected `,` {place}, found `{token}`"),
    ))
}

/// The value as a plain string literal, or an error on it that shows the
/// `example` of the `key`'s form.
pub(crate) fn string_literal(value: &Value, key: &str, example: &str) -> Result<Text> {
    let like = format!("like `{key} = {example}`");
    let literal = match &value.kind {
        Kind::Literal(literal) => literal,
        // `concat!(...)`, `stringify!(...)`, `env!(...)`: an attribute's
        // arguments are tokens, read before any macro in them is expanded.
        Kind::Macro(name) => {
            return Err(Error::new_spanned(
                value,
                format!(
                    "`{key}` must be a string literal, {like}: macros such as `{name}!` are not \
                     expanded in an attribute's options; write the string itself (a \
                     `macro_rules!` can pass it in as a `$x:literal`)"
                ),
            ));
        }
        _ => {
            return Err(Error::new_spanned(
                value,
                format!("`{key}` must be a string literal, {like}"),
            ));
        }
    };
    match literal::string(literal) {
        Ok(text) if text.suffix.is_empty() => Ok(Text {
            literal: literal.clone(),
            value: text.value,
        }),
        Ok(_) => Err(Error::new_spanned(
            literal,
            format!("`{key}` must be a string literal without a suffix"),
        )),
        Err(not) => {
            let kind = match not {
                NotText::ByteString => "a byte string",
                NotText::CString => "a C string",
                NotText::Other => "",
            };
            Err(Error::new_spanned(
                literal,
                if kind.is_empty() {
                    format!("`{key}` must be a string literal, {like}")
                } else {
                    format!("`{key}` must be a string literal, not {kind}: write it {like}")
                },
            ))
        }
    }
}

/// A string literal as written, and its value.
#[derive(Clone)]
pub(crate) struct Text {
    pub(crate) literal: Literal,
    pub(crate) value: String,
}

impl ToTokens for Text {
    fn to_tokens(&self) -> TokenStream {
        self.literal.to_tokens()
    }
}

impl Text {
    pub(crate) fn span(&self) -> Span {
        self.literal.span()
    }
}

/// The text of a cleanup's name (`what` says where it was written, for the
/// message): not empty, not only whitespace, no whitespace at either end
/// (a name is matched exactly, so `"db "` would never meet `"db"`), no
/// control characters.
pub(crate) fn check_text(text: &Text, what: &str) -> Result<String> {
    let literal = &text.literal;
    let text = text.value.clone();
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
    use quote::quote;

    use super::{Kind, Text, Value, check_text, read, string_literal};
    use crate::cursor::Cursor;
    use crate::tokens::{Delimiter, Group, Literal, Span, TokenStream, TokenTree};

    /// `tokens` as rustc hands over a fragment: in an invisible group.
    fn fragment(tokens: TokenStream) -> TokenStream {
        TokenTree::Group(Group::new(Delimiter::None, tokens)).into()
    }

    /// The value at the start of `tokens`, and what is left after it.
    fn value(tokens: TokenStream) -> (Value, String) {
        let mut cursor = Cursor::new(tokens);
        let value = read(&mut cursor, Span::call_site(), "name").expect("a value");
        let mut rest = TokenStream::new();
        while let Some(token) = cursor.next() {
            rest.extend([token]);
        }
        (value, rest.to_string())
    }

    #[test]
    fn a_fragment_reads_as_the_literal_written_out() {
        let (read, _) = value(fragment(quote!("close-db")));
        let text = string_literal(&read, "name", "\"x\"").expect("a string literal");
        assert_eq!(text.value, "close-db");
        // Nested, as a fragment handed on by a second macro arrives.
        let (nested, _) = value(fragment(fragment(quote!("drain"))));
        assert!(matches!(nested.kind, Kind::Literal(_)));
        assert_eq!(nested.tokens.to_string(), "\"drain\"");
    }

    #[test]
    fn values_are_told_apart_by_their_first_tokens() {
        let kind = |tokens| value(tokens).0.kind;
        assert!(matches!(kind(quote!(true)), Kind::Bool));
        assert!(matches!(kind(quote!(a::B)), Kind::Path { plain: true }));
        assert!(matches!(kind(quote!(::a::B)), Kind::Path { plain: true }));
        assert!(matches!(kind(quote!(crate::B)), Kind::Path { plain: true }));
        assert!(matches!(
            kind(quote!(Vec::<u8>::B)),
            Kind::Path { plain: false }
        ));
        assert!(matches!(
            kind(quote!(a::B<u8, u16>)),
            Kind::Path { plain: false }
        ));
        assert!(matches!(
            kind(quote!(<T as U>::B)),
            Kind::Path { plain: false }
        ));
        assert!(matches!(kind(quote!(std::concat!("a"))), Kind::Macro(name) if name == "concat"));
        assert!(matches!(kind(quote!(DB.trim())), Kind::Other));
        assert!(matches!(kind(quote!(2 + 2)), Kind::Other));
        assert!(matches!(kind(quote!(-1)), Kind::Other));
        assert!(matches!(kind(quote!(if a { b } else { c })), Kind::Other));
        assert!(matches!(kind(quote!(("x"))), Kind::Other));
        let (list, rest) = value(quote!(["a", b::C, [],], next = 1));
        let Kind::Array(elements) = list.kind else {
            panic!("not an array");
        };
        assert_eq!(elements.len(), 3);
        assert_eq!(rest, ", next = 1");
    }

    #[test]
    fn a_value_stops_where_a_word_or_literal_cannot_go_on_with_it() {
        assert_eq!(value(quote!("flush" timeout = "2s")).1, "timeout = \"2s\"");
        assert_eq!(value(quote!(a::b "x")).1, "\"x\"");
        assert_eq!(value(quote!(2 + 2, x)).1, ", x");
        let mut cursor = Cursor::new(quote!(["a" "b"]));
        let error = read(&mut cursor, Span::call_site(), "after")
            .err()
            .expect("an error");
        assert_eq!(
            error.to_string(),
            "expected `,` between the names in `after`, found `\"b\"`"
        );
    }

    #[test]
    fn a_macro_in_an_option_is_refused_with_a_word_on_why() {
        let (read, _) = value(quote!(concat!("a", "b")));
        let error = string_literal(&read, "name", "\"x\"")
            .err()
            .expect("refused");
        assert!(
            error.to_string().contains("`concat!` are not expanded"),
            "{error}"
        );
    }

    #[test]
    fn byte_and_c_strings_and_suffixes_are_refused_saying_what_they_are() {
        for (tokens, says) in [
            (quote!(b"x"), "not a byte string"),
            (quote!(c"x"), "not a C string"),
            (quote!("x"ms), "without a suffix"),
            (quote!('x'), "must be a string literal, like"),
        ] {
            let (read, _) = value(tokens);
            let error = string_literal(&read, "name", "\"x\"")
                .err()
                .expect("refused");
            assert!(error.to_string().contains(says), "{error}");
        }
    }

    #[test]
    fn names_are_refused_with_whitespace_at_either_end() {
        let text = |value: &str| Text {
            literal: Literal::string(value),
            value: value.to_owned(),
        };
        for value in [" db", "db ", "\u{a0}db"] {
            assert!(check_text(&text(value), "`name`").is_err(), "{value:?}");
        }
        assert_eq!(
            check_text(&text("db pool"), "`name`").expect("inner space"),
            "db pool"
        );
    }
}
