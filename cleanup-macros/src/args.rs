//! The attribute's options: none for `#[at_exit]`; `name = "..."` and
//! `timeout = "..."` for `#[cleanup(...)]`.

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser as _};
use syn::{Error, Expr, ExprLit, Ident, Lit, LitStr, Result, Token};

use crate::error::combine;

mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(timeout);
}

/// The options of `#[cleanup(...)]`, checked.
pub(crate) struct CleanupArgs {
    pub(crate) name: Name,
    pub(crate) timeout: Option<Duration>,
}

/// The `name = "..."` option.
pub(crate) struct Name {
    /// The name's text.
    pub(crate) value: String,
    /// Where it was written: duplicate-name errors point here.
    pub(crate) span: Span,
}

/// `#[at_exit]` takes no options: anything between the parentheses is an
/// error on its first token.
pub(crate) fn parse_at_exit(args: TokenStream) -> Result<()> {
    match args.into_iter().next() {
        None => Ok(()),
        Some(first) => Err(Error::new(
            first.span(),
            "`#[at_exit]` takes no arguments; to name the cleanup write \
             `#[cleanup(name = \"...\")]` (optionally with `timeout = \"...\"`)",
        )),
    }
}

/// Parses `name = "...", timeout = "..."` in any order.
///
/// Syntax errors stop the parse; every other mistake (an unknown or repeated
/// option, a bad value) is collected so that all of them are reported at
/// once.
pub(crate) fn parse_cleanup(args: TokenStream) -> Result<CleanupArgs> {
    let written = args.clone();
    let options = Options::parse.parse2(args)?;
    let mut errors = options.errors;
    if !options.name_given {
        let message = "missing `name`: write `#[cleanup(name = \"...\")]`, \
                       or use `#[at_exit]` for a cleanup named after its function";
        // On the options when there are some, else on the attribute itself.
        errors.push(if written.is_empty() {
            Error::new(Span::call_site(), message)
        } else {
            Error::new_spanned(written, message)
        });
    }
    if let Some(error) = combine(errors) {
        return Err(error);
    }
    Ok(CleanupArgs {
        name: options
            .name
            .expect("a missing or rejected `name` is an error"),
        timeout: options.timeout,
    })
}

/// What was found between the parentheses, before the final checks.
#[derive(Default)]
struct Options {
    name: Option<Name>,
    /// `name` was written, even if its value was rejected.
    name_given: bool,
    timeout: Option<Duration>,
    timeout_given: bool,
    errors: Vec<Error>,
}

const VALID_OPTIONS: &str = "(the options are `name = \"...\"` and `timeout = \"...\"`)";

impl Options {
    fn parse(input: ParseStream) -> Result<Self> {
        let mut options = Options::default();
        if let Err(error) = options.parse_each(input) {
            // The mistakes found before the syntax error, then the error.
            options.errors.push(error);
            return Err(combine(options.errors).expect("at least the syntax error"));
        }
        Ok(options)
    }

    fn parse_each(&mut self, input: ParseStream) -> Result<()> {
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::name) {
                let key: kw::name = input.parse()?;
                let value = parse_value(input, key.span, "name")?;
                if self.name_given {
                    self.errors.push(repeated(key.span, "name"));
                } else {
                    self.name_given = true;
                    match check_name(&value) {
                        Ok(name) => self.name = Some(name),
                        Err(error) => self.errors.push(error),
                    }
                }
            } else if lookahead.peek(kw::timeout) {
                let key: kw::timeout = input.parse()?;
                let value = parse_value(input, key.span, "timeout")?;
                if self.timeout_given {
                    self.errors.push(repeated(key.span, "timeout"));
                } else {
                    self.timeout_given = true;
                    match check_timeout(&value) {
                        Ok(timeout) => self.timeout = Some(timeout),
                        Err(error) => self.errors.push(error),
                    }
                }
            } else if input.peek(Ident::peek_any) {
                let key = Ident::parse_any(input)?;
                let written = key.unraw().to_string();
                let hint = match ["name", "timeout"]
                    .into_iter()
                    .find(|valid| is_typo_of(&written, valid))
                {
                    Some(valid) => format!("; did you mean `{valid}`?"),
                    None => String::new(),
                };
                self.errors.push(Error::new(
                    key.span(),
                    format!("unknown option `{written}`{hint} {VALID_OPTIONS}"),
                ));
                // Skip its value, if it has one, to report what follows.
                if input.peek(Token![=]) {
                    parse_value(input, key.span(), "")?;
                }
            } else if input.peek(LitStr) {
                let literal: LitStr = input.parse()?;
                return Err(Error::new_spanned(
                    &literal,
                    format!(
                        "options are written `key = value`: for the name, write \
                         `name = {}`",
                        literal.token()
                    ),
                ));
            } else {
                return Err(lookahead.error());
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    }
}

/// Whether `written` looks like a slip for `valid`: the same letters in
/// another order or case (`nmae`, `Name`), or the same first three letters
/// (`names`, `timeout_ms`).
fn is_typo_of(written: &str, valid: &str) -> bool {
    let written = written.to_lowercase();
    let sorted = |text: &str| {
        let mut letters: Vec<char> = text.chars().collect();
        letters.sort_unstable();
        letters
    };
    sorted(&written) == sorted(valid) || written.get(..3) == valid.get(..3)
}

/// `= <expr>` after a key. Any expression parses, so that a value of the
/// wrong kind gets a message about the kind rather than a syntax error.
fn parse_value(input: ParseStream, key_span: Span, key: &str) -> Result<Expr> {
    if !input.peek(Token![=]) {
        return Err(Error::new(
            key_span,
            format!("expected `{key} = \"...\"`: `{key}` needs a value"),
        ));
    }
    input.parse::<Token![=]>()?;
    input.parse()
}

fn repeated(span: Span, key: &str) -> Error {
    Error::new(
        span,
        format!("`{key}` is given more than once; keep only one `{key} = ...`"),
    )
}

/// The value as a plain string literal, or an error on it that shows the
/// `example` of the `key`'s form.
fn string_literal<'a>(value: &'a Expr, key: &str, example: &str) -> Result<&'a LitStr> {
    if let Expr::Lit(ExprLit {
        lit: Lit::Str(literal),
        attrs,
    }) = value
    {
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
        return Ok(literal);
    }
    Err(Error::new_spanned(
        value,
        format!("`{key}` must be a string literal, like `{key} = {example}`"),
    ))
}

fn check_name(value: &Expr) -> Result<Name> {
    let literal = string_literal(value, "name", "\"close-db\"")?;
    let text = literal.value();
    if text.is_empty() {
        return Err(Error::new_spanned(literal, "`name` must not be empty"));
    }
    if text.trim().is_empty() {
        return Err(Error::new_spanned(
            literal,
            "`name` must not be only whitespace",
        ));
    }
    if let Some(control) = text.chars().find(|c| c.is_control()) {
        return Err(Error::new_spanned(
            literal,
            format!("`name` must not contain control characters, found {control:?}"),
        ));
    }
    Ok(Name {
        value: text,
        span: literal.span(),
    })
}

fn check_timeout(value: &Expr) -> Result<Duration> {
    let literal = string_literal(value, "timeout", "\"2s\"")?;
    let text = literal.value();
    let timeout = humantime::parse_duration(&text).map_err(|error| {
        Error::new_spanned(
            literal,
            format!(
                "`timeout` {text:?} is not a duration ({error}); write it like \
                 \"300ms\", \"2s\" or \"1m 30s\""
            ),
        )
    })?;
    if timeout.is_zero() {
        return Err(Error::new_spanned(
            literal,
            "`timeout` must be greater than zero; leave it out for no timeout",
        ));
    }
    Ok(timeout)
}
