//! What a cleanup may return, and how that becomes an outcome.

use std::fmt::Display;

/// A value a cleanup may return: `()` (always success) or
/// `Result<(), E>` where `E: Display`.
///
/// An `Err` is reported with its whole chain of causes, in the text and
/// JSON reports and the failure lines alike:
///
/// - always with the alternate `Display`, `{:#}`: for `anyhow::Error` (and
///   `eyre`) that is every context and cause, `outer: inner: root`;
/// - for a function under `#[at_exit]` or `#[cleanup]` whose error type
///   implements `std::error::Error` (or is a `Box<dyn Error>`), each cause of its
///   [`source`](std::error::Error::source) chain is appended too, unless
///   the text already holds it (`thiserror`'s `"read failed: {0}"` does).
///   A closure given to [`register`](crate::register) is generic there, so
///   it gets `{:#}` only: return `anyhow::Error`, or put the causes in the
///   message, to see them.
///
/// Implemented for those two shapes only; it exists so that
/// [`register`](crate::register) and the attributes accept both.
///
/// ```
/// fn flush() -> Result<(), std::io::Error> { Ok(()) }
/// cleanup_runtime::register(flush);
/// cleanup_runtime::register(|| println!("bye"));
/// # cleanup_runtime::clear();
/// ```
///
/// An error is shown with `{:#}`, which error types with context use for
/// the whole chain:
///
/// ```
/// use std::fmt;
///
/// struct WithContext;
/// impl fmt::Display for WithContext {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         if f.alternate() {
///             f.write_str("closing the pool: connection reset")
///         } else {
///             f.write_str("closing the pool")
///         }
///     }
/// }
///
/// cleanup_runtime::register(|| Err::<(), _>(WithContext));
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.entries()[0].error(), Some("closing the pool: connection reset"));
/// ```
#[diagnostic::on_unimplemented(
    message = "a cleanup must return `()` or `Result<(), E>` with `E: Display`, not `{Self}`",
    label = "this return type is not `()` or `Result<(), E: Display>`",
    note = "a closure whose body only panics or exits has type `!`: write it `|| -> () {{ ... }}`",
    note = "a closure that uses `?` names its error type in its last value: `Ok::<(), std::io::Error>(())`"
)]
pub trait CleanupResult: sealed::Sealed {}

// What each converts to is `sealed::Sealed`'s, out of users' reach.
impl CleanupResult for () {}

impl<E: Display> CleanupResult for Result<(), E> {}

/// `Ok(())` for success, `Err(text)` for a failure to report. Not a
/// method of [`CleanupResult`]: the text form of an error is the report's
/// business, and a public method would freeze it.
#[inline]
pub(crate) fn into_outcome<R: CleanupResult>(value: R) -> Result<(), String> {
    sealed::Sealed::into_outcome(value)
}

/// `error`'s alternate `Display`, then each cause of its `source` chain
/// that the text does not already hold, joined with `": "`.
///
/// ```
/// use std::fmt;
///
/// #[derive(Debug)]
/// struct Closing(std::io::Error);
/// impl fmt::Display for Closing {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         f.write_str("closing the database")
///     }
/// }
/// impl std::error::Error for Closing {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(&self.0)
///     }
/// }
///
/// let error = Closing(std::io::Error::other("broken pipe"));
/// let text = cleanup_runtime::__private::error_chain(&error);
/// assert_eq!(text, "closing the database: broken pipe");
/// ```
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = format!("{error:#}");
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !crate::base::text::contains(&text, &cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The trait only this crate can implement or call: what makes
/// [`CleanupResult`] closed to other types, and its conversion out of
/// users' reach.
mod sealed {
    pub trait Sealed {
        fn into_outcome(self) -> Result<(), String>;
    }

    impl Sealed for () {
        fn into_outcome(self) -> Result<(), String> {
            Ok(())
        }
    }

    impl<E: std::fmt::Display> Sealed for Result<(), E> {
        fn into_outcome(self) -> Result<(), String> {
            self.map_err(|error| format!("{error:#}"))
        }
    }
}
