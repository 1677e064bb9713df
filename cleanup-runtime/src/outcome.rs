//! What a cleanup may return, and how that becomes an outcome.

use std::fmt::Display;

/// A value a cleanup may return: `()` (always success) or
/// `Result<(), E>` where `E: Display` (an `Err` is reported with its
/// `Display` text).
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
#[diagnostic::on_unimplemented(
    message = "a cleanup must return `()` or `Result<(), E>` with `E: Display`, not `{Self}`",
    label = "this return type is not `()` or `Result<(), E: Display>`",
    note = "a closure whose body only panics or exits has type `!`: write it `|| -> () {{ ... }}`"
)]
pub trait CleanupResult: sealed::Sealed {
    /// `Ok(())` for success, `Err(text)` for a failure to report.
    fn into_outcome(self) -> Result<(), String>;
}

impl CleanupResult for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Display> CleanupResult for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|error| error.to_string())
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for () {}
    impl<E: std::fmt::Display> Sealed for Result<(), E> {}
}
