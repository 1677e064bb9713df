//! What one cleanup is: its code, and where it comes from.
//!
//! Kept small on purpose: an entry is built and moved on every
//! registration and every run, so what the report says about it is a
//! pointer to what the compiler already wrote down (the static's
//! declaration, the caller's `Location`) rather than a copy of its name,
//! file and line. They are read only when a report is rendered.

use std::borrow::Cow;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::base::descriptor::{Outcome, StaticCleanup};
use crate::base::text;

/// The closure of a run-time registration.
pub(crate) type Closure = Box<dyn FnOnce() -> Outcome + Send>;

/// A cleanup as the registry holds it.
pub(crate) struct Entry {
    pub(crate) origin: Origin,
    /// The closure of a run-time registration; `None` for a static, whose
    /// function is in its declaration.
    pub(crate) closure: Option<Closure>,
}

/// What runs, once an entry leaves the registry.
pub(crate) enum Action {
    Static(fn() -> Outcome),
    Closure(Closure),
}

impl Action {
    #[inline]
    pub(crate) fn call(self) -> Outcome {
        match self {
            Action::Static(run) => run(),
            Action::Closure(run) => run(),
        }
    }
}

impl Entry {
    pub(crate) fn declared(declared: &'static StaticCleanup) -> Entry {
        Entry {
            origin: Origin::Static(declared),
            closure: None,
        }
    }

    /// The name `unregister` and `register_named` know it by, if any.
    #[inline]
    pub(crate) fn name(&self) -> Option<&str> {
        match &self.origin {
            Origin::Static(declared) => declared.named.then_some(declared.name),
            Origin::Registered {
                label: Label::Named(name),
                ..
            } => Some(name),
            Origin::Registered { .. } => None,
        }
    }

    /// Its declaration, for a static cleanup.
    #[inline]
    pub(crate) fn declaration(&self) -> Option<&'static StaticCleanup> {
        match self.origin {
            Origin::Static(declared) => Some(declared),
            Origin::Registered { .. } => None,
        }
    }

    /// The timeout it was declared with (run-time ones are kept beside the
    /// registry, see `Handle::set_timeout`).
    #[inline]
    pub(crate) fn declared_timeout(&self) -> Option<Duration> {
        match &self.origin {
            Origin::Static(declared) => declared.timeout,
            Origin::Registered { .. } => None,
        }
    }

    /// Splits the entry into what runs and what the report keeps.
    #[inline]
    pub(crate) fn into_parts(self) -> (Action, Origin) {
        let action = match self.closure {
            Some(closure) => Action::Closure(closure),
            None => Action::Static(self.origin.declared_run()),
        };
        (action, self.origin)
    }
}

/// What a report calls a run-time registration.
#[derive(Clone)]
pub(crate) enum Label {
    /// `register`: the closure's type name.
    TypeName(&'static str),
    /// `register_named`: its name, shared with the registry's name index.
    Named(Arc<str>),
}

/// Where a cleanup comes from: what a report says about it besides its
/// sequence number and how it ended.
#[derive(Clone)]
pub(crate) enum Origin {
    Static(&'static StaticCleanup),
    Registered {
        caller: &'static Location<'static>,
        label: Label,
    },
}

impl Origin {
    /// The function of a static cleanup; for a run-time registration
    /// (whose closure is kept in its entry) one that does nothing.
    #[inline]
    pub(crate) fn declared_run(&self) -> fn() -> Outcome {
        match self {
            Origin::Static(declared) => declared.run,
            Origin::Registered { .. } => || Ok(()),
        }
    }

    /// Its name as stored: a closure's type name as rustc wrote it. For
    /// the ordering planner, which renders only the labels of a cycle
    /// (through [`readable_type_name`]).
    pub(crate) fn stored_name(&self) -> &str {
        match self {
            Origin::Static(declared) => declared.name,
            Origin::Registered {
                label: Label::TypeName(name),
                ..
            } => name,
            Origin::Registered {
                label: Label::Named(name),
                ..
            } => name,
        }
    }

    /// What a report calls it. A closure's type name is made readable
    /// here, when a report is rendered, not at registration: `register`
    /// only stores the `&'static str` the compiler wrote.
    pub(crate) fn name(&self) -> Cow<'_, str> {
        match self {
            Origin::Static(declared) => Cow::Borrowed(declared.name),
            Origin::Registered {
                label: Label::TypeName(name),
                ..
            } => readable_type_name(name),
            Origin::Registered {
                label: Label::Named(name),
                ..
            } => Cow::Borrowed(name),
        }
    }

    pub(crate) fn file(&self) -> &'static str {
        match self {
            Origin::Static(declared) => declared.file,
            Origin::Registered { caller, .. } => caller.file(),
        }
    }

    pub(crate) fn line(&self) -> u32 {
        match self {
            Origin::Static(declared) => declared.line,
            Origin::Registered { caller, .. } => caller.line(),
        }
    }

    /// `file:line`, for the report.
    pub(crate) fn source(&self) -> SourceLine<'_> {
        SourceLine(self)
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({})", self.name(), self.source())
    }
}

/// What rustc calls an unnamed closure (and an `async` block) in a type
/// name: `app::main::{{closure}}`.
const CLOSURE_SEGMENT: &str = "{{closure}}";

/// `app::main::{{closure}}` -> `closure in app::main`, and so for a
/// closure nested in closures or async blocks:
/// `app::main::{{closure}}::{{closure}}` -> `closure in app::main` too.
/// rustc names an async block `{{closure}}` as well, so a closure written
/// in `#[tokio::main] async fn main` (whose body the macro wraps in one)
/// would otherwise read `closure in closure in app::main`, a nesting the
/// reader never wrote; the report's `file:line` beside the name tells
/// closures of one function apart. A closure elsewhere in the name (a
/// generic argument, a type defined in a closure) reads `{closure}`. Any
/// other name is returned as it is, without allocating.
pub(crate) fn readable_type_name(type_name: &str) -> Cow<'_, str> {
    if !text::contains(type_name, CLOSURE_SEGMENT) {
        return Cow::Borrowed(type_name);
    }
    let mut rest = type_name;
    let mut closures = 0;
    while let Some(outer) = rest.strip_suffix(CLOSURE_SEGMENT) {
        match outer.strip_suffix("::") {
            Some(outer) if !outer.is_empty() => rest = outer,
            _ => break,
        }
        closures += 1;
    }
    let mut readable = String::from(if closures > 0 { "closure in " } else { "" });
    readable.push_str(&text::replace(rest, CLOSURE_SEGMENT, "{closure}"));
    Cow::Owned(readable)
}

/// Displays an origin's `file:line` without allocating.
pub(crate) struct SourceLine<'a>(&'a Origin);

impl fmt::Display for SourceLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0.file(), self.0.line())
    }
}

#[cfg(test)]
mod tests {
    use super::readable_type_name;

    #[test]
    fn closures_are_named_after_where_they_were_written() {
        assert_eq!(
            readable_type_name("tour::main::{{closure}}"),
            "closure in tour::main"
        );
        assert_eq!(
            readable_type_name("tour::main::{{closure}}::{{closure}}"),
            "closure in tour::main",
            "a closure in #[tokio::main]'s async block, or in another closure"
        );
        assert_eq!(
            readable_type_name("tour::Guard<tour::main::{{closure}}>"),
            "tour::Guard<tour::main::{closure}>"
        );
        assert_eq!(readable_type_name("{{closure}}"), "{closure}");
        assert_eq!(
            readable_type_name("a::X<b::{{closure}}, c::{{closure}}>::{{closure}}"),
            "closure in a::X<b::{closure}, c::{closure}>"
        );
        assert_eq!(
            readable_type_name("a::{{closure}}::{{closure}}::f"),
            "a::{closure}::{closure}::f"
        );
    }

    #[test]
    fn other_type_names_are_kept_as_they_are() {
        assert_eq!(readable_type_name("tour::flush"), "tour::flush");
        assert!(matches!(
            readable_type_name("fn()"),
            std::borrow::Cow::Borrowed("fn()")
        ));
    }
}
