//! The text of a string literal token, as the compiler would read it.
//!
//! A literal reaches the macro as written (`"a\x41"`, `r#"..."#`), and its
//! value is what the program would see: every escape Rust has is decoded
//! (`\n \r \t \\ \0 \' \"`, `\x7F`, `\u{...}`, and a `\` before a line
//! break, which skips the break and the whitespace that follows). Byte and
//! C strings are told apart so that the message can say what they are.

use crate::tokens::Literal;

/// A string literal's value and its suffix (`"x"suffix`; empty if none).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Text {
    pub(crate) value: String,
    pub(crate) suffix: String,
}

/// Why a literal has no string value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotText {
    /// `b"..."`, `br"..."`.
    ByteString,
    /// `c"..."`, `cr"..."`.
    CString,
    /// A number, a character, a byte.
    Other,
}

/// The value of `literal` if it is a string literal (plain or raw).
pub(crate) fn string(literal: &Literal) -> Result<Text, NotText> {
    read(&literal.to_string())
}

fn read(written: &str) -> Result<Text, NotText> {
    let raw = |rest: &str| raw_string(rest).ok_or(NotText::Other);
    match written.as_bytes() {
        [b'"', ..] => cooked(&written[1..]).ok_or(NotText::Other),
        [b'r', b'"' | b'#', ..] => raw(&written[1..]),
        [b'b', b'"' | b'r', ..] => Err(NotText::ByteString),
        [b'c', b'"' | b'r', ..] => Err(NotText::CString),
        _ => Err(NotText::Other),
    }
}

/// `#..#"..."#..#` (after the `r`): the text between, as written.
fn raw_string(rest: &str) -> Option<Text> {
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&close)?;
    Some(Text {
        value: body[..end].to_owned(),
        suffix: body[end + close.len()..].to_owned(),
    })
}

/// `..."` (after the opening quote), escapes decoded.
fn cooked(rest: &str) -> Option<Text> {
    let mut value = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((at, ch)) = chars.next() {
        match ch {
            '"' => {
                return Some(Text {
                    value,
                    suffix: rest[at + 1..].to_owned(),
                });
            }
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                '\\' => value.push('\\'),
                '0' => value.push('\0'),
                '\'' => value.push('\''),
                '"' => value.push('"'),
                'x' => {
                    let high = chars.next()?.1.to_digit(8)?;
                    let low = chars.next()?.1.to_digit(16)?;
                    value.push(char::from(u8::try_from(high * 16 + low).ok()?));
                }
                'u' => {
                    if chars.next()?.1 != '{' {
                        return None;
                    }
                    let mut code = 0u32;
                    loop {
                        match chars.next()?.1 {
                            '}' => break,
                            '_' => {}
                            digit => code = code.checked_mul(16)? + digit.to_digit(16)?,
                        }
                    }
                    value.push(char::from_u32(code)?);
                }
                // A line continuation: the break and the whitespace after it.
                '\n' | '\r' => {
                    while chars
                        .peek()
                        .is_some_and(|(_, next)| matches!(next, ' ' | '\t' | '\n' | '\r'))
                    {
                        chars.next();
                    }
                }
                _ => return None,
            },
            other => value.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{NotText, Text, read, string};
    use crate::tokens::Literal;

    fn value(written: &str) -> String {
        read(written).expect(written).value
    }

    #[test]
    fn escapes_are_decoded_as_the_compiler_does() {
        assert_eq!(value(r#""close-db""#), "close-db");
        assert_eq!(value(r#""a\nb\rc\td""#), "a\nb\rc\td");
        assert_eq!(value(r#""\\ \0 \' \"""#), "\\ \0 ' \"");
        assert_eq!(value(r#""\x41\x7F""#), "A\u{7f}");
        assert_eq!(
            value(r#""\u{48}\u{1F600}\u{1_0000}""#),
            "H\u{1f600}\u{10000}"
        );
        assert_eq!(value("\"db-\\\n     pool\""), "db-pool");
        assert_eq!(value("\"db-\\\r\n\t pool\""), "db-pool");
        assert_eq!(value("\"ünï\""), "ünï");
    }

    #[test]
    fn raw_strings_are_taken_as_written() {
        assert_eq!(value(r#"r"a\nb""#), "a\\nb");
        assert_eq!(value(r###"r#"say "hi""#"###), "say \"hi\"");
        assert_eq!(value(r###"r##"a"#b"##"###), "a\"#b");
    }

    #[test]
    fn a_suffix_is_kept_apart() {
        assert_eq!(
            read(r#""2s"ms"#),
            Ok(Text {
                value: "2s".to_owned(),
                suffix: "ms".to_owned()
            })
        );
        assert_eq!(read(r##"r#"x"#_y"##).expect("raw").suffix, "_y");
    }

    #[test]
    fn byte_and_c_strings_and_other_literals_are_told_apart() {
        assert_eq!(read(r#"b"x""#), Err(NotText::ByteString));
        assert_eq!(read(r##"br#"x"#"##), Err(NotText::ByteString));
        assert_eq!(read(r#"c"x""#), Err(NotText::CString));
        assert_eq!(read(r#"cr"x""#), Err(NotText::CString));
        assert_eq!(read("'x'"), Err(NotText::Other));
        assert_eq!(read("b'x'"), Err(NotText::Other));
        assert_eq!(read("42"), Err(NotText::Other));
        assert_eq!(read("1.5e3"), Err(NotText::Other));
    }

    #[test]
    fn malformed_escapes_are_refused() {
        for written in [
            r#""\q""#,
            r#""\x80""#,
            r#""\u{D800}""#,
            r#""\u{110000}""#,
            "\"open",
        ] {
            assert_eq!(read(written), Err(NotText::Other), "{written}");
        }
    }

    #[test]
    fn tokens_made_by_proc_macro2_read_back() {
        let text = "tab\t, quote \", nul \0, é, \u{1f600}";
        let literal = Literal::string(text);
        assert_eq!(string(&literal).expect("a string").value, text);
        assert_eq!(
            string(&Literal::byte_string(b"x")),
            Err(NotText::ByteString)
        );
        assert_eq!(string(&Literal::u8_suffixed(3)), Err(NotText::Other));
    }
}
