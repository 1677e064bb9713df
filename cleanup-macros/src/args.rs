//! The attribute's options: `after = ...` and `before = ...` for both
//! (see `order.rs`), `timeout = "..."`, and `crate = ::path` (where the
//! runtime is, see [`Runtime`]); `name = "..."` for `#[cleanup(...)]` only.

use std::time::Duration;

use crate::ast::Macro;
use crate::cursor::{Cursor, ungroup, unraw};
use crate::error::{Error, Result, combine};
use crate::literal;
use crate::order::{Direction, Order};
use crate::renamed;
use crate::template::Template;
use crate::tokens::{Ident, Span, TokenStream, TokenTree};
use crate::value::{self, Kind, Value, check_text, expect_comma, string_literal};

/// The options of `#[cleanup(...)]`, checked.
pub(crate) struct CleanupArgs {
    pub(crate) name: Name,
    pub(crate) timeout: Option<Duration>,
    pub(crate) order: Order,
    pub(crate) runtime: Runtime,
}

/// The options of `#[at_exit(...)]`, checked.
pub(crate) struct AtExitArgs {
    pub(crate) timeout: Option<Duration>,
    pub(crate) order: Order,
    pub(crate) runtime: Runtime,
}

/// Where the runtime crate is: `::cleanup_runtime` unless `crate = ::path`
/// says otherwise (a dependency renamed in Cargo.toml, or a crate that
/// re-exports the runtime), as serde's `#[serde(crate = "...")]` and
/// tokio's `#[tokio::main(crate = ...)]` do.
pub(crate) struct Runtime(Option<TokenStream>);

impl Runtime {
    /// `<runtime>::__private`: the only module generated code names.
    pub(crate) fn private(&self) -> TokenStream {
        match &self.0 {
            None => DEFAULT_PRIVATE.fill(&[]),
            Some(path) => PRIVATE.fill(&[("path", path)]),
        }
    }
}

const DEFAULT_PRIVATE: Template = Template::new("default_private", "::cleanup_runtime::__private");
const PRIVATE: Template = Template::new("private", "$path::__private");

/// The `name = "..."` option.
pub(crate) struct Name {
    /// The name's text.
    pub(crate) value: String,
    /// Where it was written: duplicate-name errors point here.
    pub(crate) span: Span,
}

/// Parses `#[at_exit]`'s options, `timeout = "..."`, `after = ...` and
/// `before = ...`; a `name` is an error on its key that says to use
/// `#[cleanup]`.
pub(crate) fn parse_at_exit(args: TokenStream) -> Result<AtExitArgs> {
    let mut options = Options::parse_for(args, Macro::AtExit)?;
    options.check_runtime_found();
    match combine(options.errors) {
        Some(error) => Err(error),
        None => Ok(AtExitArgs {
            timeout: options.timeout,
            order: options.order,
            runtime: Runtime(options.runtime),
        }),
    }
}

/// Parses `name = "...", timeout = "...", after = ..., before = ...` in
/// any order.
///
/// Syntax errors stop the parse; every other mistake (an unknown or repeated
/// option, a bad value) is collected so that all of them are reported at
/// once.
pub(crate) fn parse_cleanup(args: TokenStream) -> Result<CleanupArgs> {
    let written = args.clone();
    let mut options = Options::parse_for(args, Macro::Cleanup)?;
    options.check_runtime_found();
    let mut errors = options.errors;
    if let Some(name) = &options.name {
        options.order.check_not_own(&name.value, &mut errors);
    }
    if !options.name_given {
        let message = "missing `name`: write `#[cleanup(name = \"...\")]`, \
                       or use `#[at_exit]` for a cleanup named after its function";
        // On the options when there are some, else on the attribute itself.
        errors.push(if written.is_empty() {
            Error::new(Span::call_site(), message)
        } else {
            Error::new_spanned(&written, message)
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
        order: options.order,
        runtime: Runtime(options.runtime),
    })
}

/// What was found between the parentheses, before the final checks.
struct Options {
    /// Which attribute: `#[at_exit]` takes only the ordering options.
    attribute: Macro,
    name: Option<Name>,
    /// `name` was written, even if its value was rejected.
    name_given: bool,
    timeout: Option<Duration>,
    timeout_given: bool,
    order: Order,
    after_given: bool,
    before_given: bool,
    runtime: Option<TokenStream>,
    runtime_given: bool,
    errors: Vec<Error>,
}

const VALID_OPTIONS: &str = "(the options are `name = \"...\"`, `timeout = \"...\"`, \
                             `after = ...`, `before = ...` and `crate = ::path`)";

const VALID_AT_EXIT_OPTIONS: &str = "(the options of `#[at_exit]` are `timeout = \"...\"`, \
                                     `after = ...`, `before = ...` and `crate = ::path`)";

impl Options {
    fn parse_for(args: TokenStream, attribute: Macro) -> Result<Self> {
        let mut options = Options {
            attribute,
            name: None,
            name_given: false,
            timeout: None,
            timeout_given: false,
            order: Order::default(),
            after_given: false,
            before_given: false,
            runtime: None,
            runtime_given: false,
            errors: Vec::new(),
        };
        if let Err(error) = options.parse_each(&mut Cursor::new(args)) {
            // The mistakes found before the syntax error, then the error.
            options.errors.push(error);
            return Err(combine(options.errors).expect("at least the syntax error"));
        }
        Ok(options)
    }

    /// Without `crate = ...`: an error saying to add it if the runtime is
    /// renamed in Cargo.toml (see `renamed.rs`).
    fn check_runtime_found(&mut self) {
        if !self.runtime_given
            && let Some(error) = renamed::check(self.attribute)
        {
            self.errors.push(error);
        }
    }

    /// `#[at_exit]` met `name`: an error on the key.
    fn cleanup_only(&mut self, span: Span) {
        self.errors.push(Error::new(
            span,
            "`#[at_exit]` takes no `name` (its cleanup is named after the function); to \
             name the cleanup write `#[cleanup(name = \"...\")]`",
        ));
    }

    /// `after = ...` or `before = ...`.
    fn parse_order(&mut self, input: &mut Cursor, direction: Direction, span: Span) -> Result<()> {
        let key = direction.key();
        let value = parse_value(input, span, key)?;
        let given = match direction {
            Direction::After => &mut self.after_given,
            Direction::Before => &mut self.before_given,
        };
        if std::mem::replace(given, true) {
            self.errors.push(repeated(span, key));
        } else {
            self.order.take(direction, &value, &mut self.errors);
        }
        Ok(())
    }

    /// `crate = ::path::to::cleanup_runtime`.
    fn parse_runtime(&mut self, input: &mut Cursor, span: Span) -> Result<()> {
        if input.peek_punct('=').is_none() {
            return Err(Error::new(
                span,
                "expected `crate = ::path::to::cleanup_runtime`: `crate` needs a value",
            ));
        }
        let value = parse_value(input, span, "crate")?;
        if std::mem::replace(&mut self.runtime_given, true) {
            self.errors.push(repeated(span, "crate"));
            return Ok(());
        }
        match check_runtime(value) {
            Ok(path) => self.runtime = Some(path),
            Err(error) => self.errors.push(error),
        }
        Ok(())
    }

    fn parse_each(&mut self, input: &mut Cursor) -> Result<()> {
        while let Some(token) = input.peek() {
            // A key or a literal handed in as a fragment (`$k:ident` is not
            // grouped, `$x:expr` is) reads as written out.
            let token = match token {
                TokenTree::Group(group) => ungroup(TokenTree::from(group.clone()).into())
                    .into_iter()
                    .next(),
                other => Some(other.clone()),
            };
            match token {
                Some(TokenTree::Ident(key)) => {
                    input.next();
                    self.parse_option(input, &key)?;
                }
                Some(TokenTree::Literal(literal)) if literal::string(&literal).is_ok() => {
                    return Err(match self.attribute {
                        Macro::Cleanup => Error::new_spanned(
                            &literal,
                            format!(
                                "options are written `key = value`: for the name, write \
                                 `name = {literal}`"
                            ),
                        ),
                        Macro::AtExit => Error::new_spanned(
                            &literal,
                            "`#[at_exit]` takes no name (its cleanup is named after the \
                             function); to name it, write `#[cleanup(name = ...)]` instead",
                        ),
                    });
                }
                _ => {
                    let token = input.next().expect("peeked");
                    let valid_options = match self.attribute {
                        Macro::AtExit => VALID_AT_EXIT_OPTIONS,
                        Macro::Cleanup => VALID_OPTIONS,
                    };
                    return Err(Error::new(
                        token.span(),
                        format!("expected an option, found `{token}` {valid_options}"),
                    ));
                }
            }
            if input.is_empty() {
                break;
            }
            expect_comma(input, "between options")?;
        }
        Ok(())
    }

    /// The option whose key is `key`, and its value.
    fn parse_option(&mut self, input: &mut Cursor, key: &Ident) -> Result<()> {
        let span = key.span();
        // A raw identifier is the same key (`r#name` is `name`).
        let written = unraw(key);
        match written.as_str() {
            "crate" => self.parse_runtime(input, span),
            "after" => self.parse_order(input, Direction::After, span),
            "before" => self.parse_order(input, Direction::Before, span),
            "name" => {
                let value = parse_value(input, span, "name")?;
                if let Macro::AtExit = self.attribute {
                    self.cleanup_only(span);
                } else if self.name_given {
                    self.errors.push(repeated(span, "name"));
                } else {
                    self.name_given = true;
                    match check_name(&value) {
                        Ok(name) => self.name = Some(name),
                        Err(error) => self.errors.push(error),
                    }
                }
                Ok(())
            }
            "timeout" => {
                let value = parse_value(input, span, "timeout")?;
                if self.timeout_given {
                    self.errors.push(repeated(span, "timeout"));
                } else {
                    self.timeout_given = true;
                    match check_timeout(&value) {
                        Ok(timeout) => self.timeout = Some(timeout),
                        Err(error) => self.errors.push(error),
                    }
                }
                Ok(())
            }
            _ => {
                let (keys, valid_options): (&[&str], _) = match self.attribute {
                    Macro::AtExit => (
                        &["timeout", "after", "before", "crate"],
                        VALID_AT_EXIT_OPTIONS,
                    ),
                    Macro::Cleanup => (
                        &["name", "timeout", "after", "before", "crate"],
                        VALID_OPTIONS,
                    ),
                };
                let hint = match keys.iter().find(|valid| is_typo_of(&written, valid)) {
                    Some(valid) => format!("; did you mean `{valid}`?"),
                    None => String::new(),
                };
                self.errors.push(Error::new(
                    span,
                    format!("unknown option `{written}`{hint} {valid_options}"),
                ));
                // Skip its value, if it has one, to report what follows.
                if input.peek_punct('=').is_some() {
                    parse_value(input, span, &written)?;
                }
                Ok(())
            }
        }
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

/// `= <value>` after a key. Any expression is read, so that a value of
/// the wrong kind gets a message about the kind rather than a syntax error.
fn parse_value(input: &mut Cursor, key_span: Span, key: &str) -> Result<Value> {
    let Some(eq) = input.eat_punct('=') else {
        return Err(Error::new(
            key_span,
            format!("expected `{key} = \"...\"`: `{key}` needs a value"),
        ));
    };
    value::read(input, eq.span(), key)
}

fn repeated(span: Span, key: &str) -> Error {
    Error::new(
        span,
        format!("`{key}` is given more than once; keep only one `{key} = ...`"),
    )
}

fn check_name(value: &Value) -> Result<Name> {
    let text = string_literal(value, "name", "\"close-db\"")?;
    Ok(Name {
        value: check_text(&text, "`name`")?,
        span: text.span(),
    })
}

/// The value of `crate = ...`: a path (`::exitclean`, `::framework::rt`),
/// without generics; a string gets a hint to drop the quotes.
fn check_runtime(value: Value) -> Result<TokenStream> {
    let example = "`crate = ::cleanup_runtime` (the path to the runtime crate, \
                   as renamed or re-exported)";
    match &value.kind {
        Kind::Path { plain: true } => Ok(value.tokens),
        Kind::Literal(literal) if literal::string(literal).is_ok() => {
            let text = literal::string(literal)
                .map(|text| text.value)
                .unwrap_or_default();
            Err(Error::new_spanned(
                literal,
                format!("`crate` takes a path, not a string: write `crate = {text}`"),
            ))
        }
        _ => Err(Error::new_spanned(
            &value,
            format!("`crate` must be a path without generics, like {example}"),
        )),
    }
}

fn check_timeout(value: &Value) -> Result<Duration> {
    let literal = string_literal(value, "timeout", "\"2s\"")?;
    let text = &literal.value;
    let timeout = crate::duration::parse(text).map_err(|error| {
        Error::new_spanned(
            &literal,
            format!(
                "`timeout` {text:?} is not a duration ({error}); write it like \
                 \"300ms\", \"2s\" or \"1m 30s\""
            ),
        )
    })?;
    if timeout.is_zero() {
        return Err(Error::new_spanned(
            &literal,
            "`timeout` must be greater than zero; leave it out for no timeout",
        ));
    }
    Ok(timeout)
}
