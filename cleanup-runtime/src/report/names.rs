//! The names of [`Trigger`] and [`EntryStatus`] as text: `Display` writes
//! the lowercase name the text and JSON reports use, `FromStr` reads it
//! back (a consumer of the JSON report, a filter given on a command line).

use std::fmt;
use std::str::FromStr;

use super::{EntryStatus, Trigger};

/// The error of parsing a [`Trigger`] or an [`EntryStatus`] from a name it
/// does not have.
///
/// ```
/// use cleanup_runtime::EntryStatus;
///
/// let error = "fine".parse::<EntryStatus>().unwrap_err();
/// assert_eq!(error.to_string(), "unknown entry status \"fine\" (expected one of ok, error, panic, timeout, skipped)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseNameError {
    what: &'static str,
    text: String,
    expected: &'static str,
}

impl fmt::Display for ParseNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?} (expected one of {})",
            self.what, self.text, self.expected
        )
    }
}

impl std::error::Error for ParseNameError {}

impl fmt::Display for Trigger {
    /// `exit`, `signal`, `panic` or `manual`, as [`Trigger::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Trigger {
    type Err = ParseNameError;

    /// The inverse of `Display`: exactly the lowercase name.
    ///
    /// ```
    /// use cleanup_runtime::Trigger;
    ///
    /// assert_eq!("signal".parse::<Trigger>(), Ok(Trigger::Signal));
    /// assert_eq!(Trigger::Exit.to_string().parse::<Trigger>(), Ok(Trigger::Exit));
    /// assert!("Signal".parse::<Trigger>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Trigger, ParseNameError> {
        // Loops over a slice here and below, not `into_iter().find()`: an
        // array iterated by value compiles an iterator per element type
        // (with `find`, about 400 lines of LLVM IR for the two).
        for &trigger in &[
            Trigger::Exit,
            Trigger::Signal,
            Trigger::Panic,
            Trigger::Manual,
        ] {
            if trigger.as_str() == text {
                return Ok(trigger);
            }
        }
        Err(ParseNameError {
            what: "trigger",
            text: text.to_owned(),
            expected: "exit, signal, panic, manual",
        })
    }
}

impl fmt::Display for EntryStatus {
    /// `ok`, `error`, `panic`, `timeout` or `skipped`, as
    /// [`EntryStatus::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntryStatus {
    type Err = ParseNameError;

    /// The inverse of `Display`: exactly the lowercase name.
    ///
    /// ```
    /// use cleanup_runtime::EntryStatus;
    ///
    /// assert_eq!("timeout".parse::<EntryStatus>(), Ok(EntryStatus::Timeout));
    /// assert_eq!(EntryStatus::Ok.to_string(), "ok");
    /// ```
    fn from_str(text: &str) -> Result<EntryStatus, ParseNameError> {
        for &status in &[
            EntryStatus::Ok,
            EntryStatus::Error,
            EntryStatus::Panic,
            EntryStatus::Timeout,
            EntryStatus::Skipped,
        ] {
            if status.as_str() == text {
                return Ok(status);
            }
        }
        Err(ParseNameError {
            what: "entry status",
            text: text.to_owned(),
            expected: "ok, error, panic, timeout, skipped",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back() {
        for trigger in [
            Trigger::Exit,
            Trigger::Signal,
            Trigger::Panic,
            Trigger::Manual,
        ] {
            assert_eq!(trigger.to_string().parse(), Ok(trigger));
        }
        for status in [
            EntryStatus::Ok,
            EntryStatus::Error,
            EntryStatus::Panic,
            EntryStatus::Timeout,
            EntryStatus::Skipped,
        ] {
            assert_eq!(status.to_string().parse(), Ok(status));
        }
    }
}
