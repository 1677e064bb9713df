//! The ordering options `after = ...` and `before = ...` of both
//! attributes: a name or a list of names of other cleanups, checked.
//!
//! A name is a string literal or a path to a `const` of type `&str`
//! (`before = pool_lib::POOL`): a library can publish its cleanups' names
//! and a dependent names them without repeating the string. A path is
//! emitted as written, in the descriptor's `&[&str]` list, so a path to
//! anything else is the type checker's error on that path.
//!
//! What is rejected, each on the offending value: a value that is neither
//! (or an array of them), an empty list, an empty (or blank, or
//! control-character) name, a name or path given twice in one list or in
//! both lists, and (for `#[cleanup]`) the cleanup's own name. A path's
//! text is known only to the compiler, so the checks that need it are
//! made on the value in `const` evaluation (`__private::check_target`),
//! and fail the build there (see [`Order::emit`]).

use crate::error::{Error, Result};
use crate::template::Template;
use crate::tokens::{Ident, Literal, Span, ToTokens, TokenStream};
use crate::value::{Kind, Text, Value, check_text, string_literal};

/// Which of the two options.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    After,
    Before,
}

impl Direction {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Direction::After => "after",
            Direction::Before => "before",
        }
    }
}

/// One name in `after` or `before`, as written.
pub(crate) enum Target {
    /// `"db-pool"`.
    Literal(Text),
    /// `pool_lib::POOL`: a path to a `const` `&str`.
    Path(TokenStream),
}

impl Target {
    /// The path written, as text without spaces, to tell a path given twice.
    fn path_text(&self) -> Option<String> {
        match self {
            Target::Literal(_) => None,
            Target::Path(path) => Some(
                path.to_string()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect(),
            ),
        }
    }

    fn literal(&self) -> Option<&Text> {
        match self {
            Target::Literal(literal) => Some(literal),
            Target::Path(_) => None,
        }
    }

    /// Whether `self` and `other` name the same thing as written.
    fn same(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Literal(a), Target::Literal(b)) => a.value == b.value,
            (Target::Path(_), Target::Path(_)) => self.path_text() == other.path_text(),
            _ => false,
        }
    }

    /// How the target reads in a message.
    fn shown(&self) -> String {
        match self {
            Target::Literal(literal) => format!("{:?}", literal.value),
            Target::Path(_) => format!("`{}`", self.path_text().unwrap_or_default()),
        }
    }
}

impl ToTokens for Target {
    fn to_tokens(&self) -> TokenStream {
        match self {
            Target::Literal(literal) => literal.to_tokens(),
            Target::Path(path) => path.clone(),
        }
    }
}

const SOME_OWN: Template = Template::new("some_own", "::core::option::Option::Some($own)");
const NONE: Template = Template::new("none", "::core::option::Option::None");
/// At the path, so that a path to anything but a `&str` is one type error
/// there, and a refused value fails `const` evaluation there too.
const PATH_CHECK: Template = Template::new(
    "path_check",
    "const $value: &::core::primitive::str = $path;
     const _: () = $private::check_target($value, $own);",
);

/// The names given to `after` and `before`, as written (their spans are
/// where later errors point, and they are emitted as they are).
#[derive(Default)]
pub(crate) struct Order {
    pub(crate) after: Vec<Target>,
    pub(crate) before: Vec<Target>,
}

impl Order {
    fn list(&mut self, direction: Direction) -> &mut Vec<Target> {
        match direction {
            Direction::After => &mut self.after,
            Direction::Before => &mut self.before,
        }
    }

    /// Takes the value of `after = ...` or `before = ...`: one string
    /// literal or path, or an array of them. Every mistake is pushed to `errors`.
    pub(crate) fn take(&mut self, direction: Direction, value: &Value, errors: &mut Vec<Error>) {
        let key = direction.key();
        let elements: Vec<&Value> = match &value.kind {
            Kind::Array(elements) => {
                if elements.is_empty() {
                    errors.push(Error::new_spanned(
                        value,
                        format!("`{key} = []` names no cleanup; leave `{key}` out"),
                    ));
                }
                elements.iter().collect()
            }
            _ => vec![value],
        };
        for element in elements {
            match check_target(element, key) {
                Ok(target) => self.add(direction, target, errors),
                Err(error) => errors.push(error),
            }
        }
    }

    fn add(&mut self, direction: Direction, target: Target, errors: &mut Vec<Error>) {
        let key = direction.key();
        let text = target.shown();
        let other = match direction {
            Direction::After => Direction::Before,
            Direction::Before => Direction::After,
        };
        if self.list(direction).iter().any(|seen| seen.same(&target)) {
            errors.push(Error::new_spanned(
                &target,
                format!("{text} is named twice in `{key}`"),
            ));
        } else if self.list(other).iter().any(|seen| seen.same(&target)) {
            errors.push(Error::new_spanned(
                &target,
                format!(
                    "{text} is in both `after` and `before`: a cleanup cannot run both \
                     after and before another"
                ),
            ));
        } else {
            self.list(direction).push(target);
        }
    }

    /// What is emitted for the two lists: the items that check the paths'
    /// values, then the `after` and the `before` elements of the
    /// descriptor.
    ///
    /// A literal is emitted as written. A path becomes a `const` of type
    /// `&'static str` holding it, spanned on the path, so that a path to
    /// anything else is one type error there, and a call
    /// `private::check_target(that, own)` in `const` evaluation fails the
    /// build, also at the path, when the named text would be refused
    /// written out: empty, blank, with control characters or surrounding
    /// whitespace, or (`own`, for `#[cleanup]`) the cleanup's own name.
    /// `private` is the module generated code names the runtime's
    /// `__private` by.
    pub(crate) fn emit(
        &self,
        private: &Ident,
        own: Option<&Literal>,
    ) -> (TokenStream, Vec<TokenStream>, Vec<TokenStream>) {
        let own = match own {
            Some(own) => SOME_OWN.fill(&[("own", own)]),
            None => NONE.fill(&[]),
        };
        let mut checks = TokenStream::new();
        let mut lists = [Vec::new(), Vec::new()];
        for (index, target) in self.after.iter().chain(&self.before).enumerate() {
            let list = &mut lists[usize::from(index >= self.after.len())];
            match target {
                Target::Literal(literal) => list.push(literal.to_tokens()),
                Target::Path(path) => {
                    // The first token's span: joining it to the last's
                    // (`Span::join`) is not stable in `proc_macro`.
                    let span = path
                        .clone()
                        .into_iter()
                        .next()
                        .map_or_else(Span::call_site, |token| token.span());
                    // Hygienic, so it cannot clash with a name the path uses.
                    let value = Ident::new(
                        &format!("__cleanup_target_{index}"),
                        Span::mixed_site().located_at(span),
                    );
                    let private = Ident::new(&private.to_string(), span);
                    checks.extend(PATH_CHECK.fill_at(
                        span,
                        &[
                            ("value", &value),
                            ("path", path),
                            ("private", &private),
                            ("own", &own),
                        ],
                    ));
                    list.push(value.to_tokens());
                }
            }
        }
        let [after, before] = lists;
        (checks, after, before)
    }

    /// For `#[cleanup]`: a cleanup ordered against its own name (`own`) is
    /// an error on that name in `after` or `before`.
    pub(crate) fn check_not_own(&self, own: &str, errors: &mut Vec<Error>) {
        for (key, list) in [("after", &self.after), ("before", &self.before)] {
            for literal in list
                .iter()
                .filter_map(Target::literal)
                .filter(|literal| literal.value == own)
            {
                errors.push(Error::new_spanned(
                    literal,
                    format!(
                        "a cleanup cannot run {key} itself: {own:?} is this cleanup's own name"
                    ),
                ));
            }
        }
    }
}

/// One name in `after` or `before`: a plain, non-blank string literal, or
/// a path without generics (to a `const` `&str`).
fn check_target(value: &Value, key: &str) -> Result<Target> {
    match value.kind {
        Kind::Path { plain: false } => Err(Error::new_spanned(
            value,
            format!(
                "a path in `{key}` must name a `const` of type `&str`, without generics \
                 or `<T as Trait>::`; write `{key} = my_crate::NAME`"
            ),
        )),
        Kind::Path { plain: true } => Ok(Target::Path(value.tokens.clone())),
        Kind::Literal(_) | Kind::Bool | Kind::Macro(_) => {
            let example = "\"db-pool\"` or `".to_owned() + key + " = [\"db-pool\", \"jobs\"]";
            let text = string_literal(value, key, &example)?;
            check_text(&text, &format!("a name in `{key}`"))?;
            Ok(Target::Literal(text))
        }
        Kind::Array(_) | Kind::Other => {
            let example = "\"db-pool\"` or `".to_owned() + key + " = [\"db-pool\", \"jobs\"]";
            Err(Error::new_spanned(
                value,
                format!(
                    "`{key}` must be a string literal or a path to a `const` `&str`, like \
                     `{key} = {example}` or `{key} = my_crate::NAME`"
                ),
            ))
        }
    }
}
