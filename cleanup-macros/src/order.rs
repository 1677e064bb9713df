//! The ordering options `after = ...` and `before = ...` of both
//! attributes: a name or a list of names of other cleanups, checked.
//!
//! What is rejected, each on the offending value: a value that is not a
//! string literal or an array of them, an empty list, an empty (or blank,
//! or control-character) name, a name given twice in one list, a name in
//! both lists, and (for `#[cleanup]`) the cleanup's own name.

use syn::{Error, Expr, ExprArray, LitStr, Result};

use crate::value::{check_text, string_literal, ungroup};

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

/// The names given to `after` and `before`, as written (their spans are
/// where later errors point, and the literals are emitted as they are).
#[derive(Default)]
pub(crate) struct Order {
    pub(crate) after: Vec<LitStr>,
    pub(crate) before: Vec<LitStr>,
}

impl Order {
    fn list(&mut self, direction: Direction) -> &mut Vec<LitStr> {
        match direction {
            Direction::After => &mut self.after,
            Direction::Before => &mut self.before,
        }
    }

    /// Takes the value of `after = ...` or `before = ...`: one string
    /// literal or an array of them. Every mistake is pushed to `errors`.
    pub(crate) fn take(&mut self, direction: Direction, value: &Expr, errors: &mut Vec<Error>) {
        let key = direction.key();
        let value = ungroup(value);
        let elements: Vec<&Expr> = match value {
            Expr::Array(ExprArray { elems, attrs, .. }) if attrs.is_empty() => {
                if elems.is_empty() {
                    errors.push(Error::new_spanned(
                        value,
                        format!("`{key} = []` names no cleanup; leave `{key}` out"),
                    ));
                }
                elems.iter().collect()
            }
            _ => vec![value],
        };
        for element in elements {
            match check_target(element, key) {
                Ok(literal) => self.add(direction, literal, errors),
                Err(error) => errors.push(error),
            }
        }
    }

    fn add(&mut self, direction: Direction, literal: LitStr, errors: &mut Vec<Error>) {
        let key = direction.key();
        let text = literal.value();
        let other = match direction {
            Direction::After => Direction::Before,
            Direction::Before => Direction::After,
        };
        if self.list(direction).iter().any(|seen| seen.value() == text) {
            errors.push(Error::new_spanned(
                &literal,
                format!("{text:?} is named twice in `{key}`"),
            ));
        } else if self.list(other).iter().any(|seen| seen.value() == text) {
            errors.push(Error::new_spanned(
                &literal,
                format!(
                    "{text:?} is in both `after` and `before`: a cleanup cannot run both \
                     after and before another"
                ),
            ));
        } else {
            self.list(direction).push(literal);
        }
    }

    /// For `#[cleanup]`: a cleanup ordered against its own name (`own`) is
    /// an error on that name in `after` or `before`.
    pub(crate) fn check_not_own(&self, own: &str, errors: &mut Vec<Error>) {
        for (key, list) in [("after", &self.after), ("before", &self.before)] {
            for literal in list.iter().filter(|literal| literal.value() == own) {
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

/// One name in `after` or `before`: a plain, non-blank string literal.
fn check_target(value: &Expr, key: &str) -> Result<LitStr> {
    let example = "\"db-pool\"` or `".to_owned() + key + " = [\"db-pool\", \"jobs\"]";
    let literal = string_literal(value, key, &example)?;
    check_text(literal, &format!("a name in `{key}`"))?;
    Ok(literal.clone())
}
