//! [`Warning`]: what a run did not do as asked, and why. Typed, so a
//! program can match on it; its `Display` is the line the report prints
//! (and stderr got when it was raised).

use std::fmt;

/// Something a run of cleanups did not do as asked, and why: one line on
/// stderr when it happens, and an entry in [`Report::warnings`](crate::Report::warnings).
///
/// `Display` gives that line; the JSON report lists the same lines. New
/// kinds may be added (the enum and its variants are `#[non_exhaustive]`).
///
/// ```
/// use cleanup_runtime::{Cleanup, Warning};
///
/// Cleanup::new(|| {}).name("a").after("b").register();
/// Cleanup::new(|| {}).name("b").after("a").register();
/// let report = cleanup_runtime::run_now();
/// match &report.warnings()[0] {
///     Warning::Cycle { members, .. } => assert_eq!(members, &["b", "a"]),
///     other => panic!("{other}"),
/// }
/// assert!(report.warnings()[0].to_string().contains("form a cycle"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The ordering constraints of these cleanups form a cycle; they ran
    /// last registered first among themselves (their constraints to others
    /// still held).
    #[non_exhaustive]
    Cycle {
        /// The members' names, in the order they run.
        members: Vec<String>,
    },
    /// A cleanup is ordered against a name that no cleanup of this process
    /// ever had (a misspelling?): that constraint is ignored.
    #[non_exhaustive]
    UnknownName {
        /// The constrained cleanup's name.
        cleanup: String,
        /// Where it was declared or registered, `file:line`.
        source: String,
        /// Which side of `name` it was to run on.
        side: Side,
        /// The name nothing had.
        name: String,
    },
    /// A signal arrived while the runtime's signal thread was outside the
    /// program's sandbox, so no cleanup ran on it (each is `skipped`).
    #[non_exhaustive]
    OutsideSandbox {
        /// What the signal thread was allowed that the main thread was not.
        detail: String,
    },
    /// When the deadline passed, a [`run_now`](crate::run_now) begun on
    /// another thread was still running: what it did is not in the report.
    ManualRunCutOff,
    /// A named registration replaced a cleanup of that name that another
    /// crate had registered or declared.
    #[non_exhaustive]
    ReplacedAcrossCrates {
        /// The name both used.
        name: String,
        /// Where the replaced one came from, `file:line`.
        replaced: String,
        /// Where the replacement was registered, `file:line`.
        by: String,
    },
}

/// Which side of another cleanup a constraint puts a cleanup on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// `after = "name"`: runs after it.
    After,
    /// `before = "name"`: runs before it.
    Before,
}

impl fmt::Display for Side {
    /// `after` or `before`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::After => "after",
            Side::Before => "before",
        })
    }
}

impl fmt::Display for Warning {
    /// The line the report prints for it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Cycle { members } => {
                f.write_str("the ordering constraints of ")?;
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{member:?}")?;
                }
                f.write_str(" form a cycle; they run last registered first")
            }
            Warning::UnknownName {
                cleanup,
                source,
                side,
                name,
            } => write!(
                f,
                "{cleanup:?} ({source}) is to run {side} {name:?}, but no cleanup of that name \
                 was registered in this process (a misspelling?); that constraint is ignored"
            ),
            Warning::OutsideSandbox { detail } => write!(
                f,
                "no cleanup ran on the signal: {detail}; set the sandbox up inside \
                 cleanup_runtime::signals::pause() so that the signal thread shares it"
            ),
            Warning::ManualRunCutOff => f.write_str(
                "a cleanup that run_now started on another thread was still running \
                 when the deadline passed; it is not in this report",
            ),
            Warning::ReplacedAcrossCrates { name, replaced, by } => write!(
                f,
                "{name:?} ({replaced}) was replaced by a registration of the same name in \
                 another crate ({by}); the two crates use one name for two cleanups"
            ),
        }
    }
}
