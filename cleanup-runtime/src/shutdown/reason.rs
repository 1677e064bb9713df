//! [`Reason`]: why shutdown was requested.

use std::fmt;

/// Why shutdown was requested: what [`wait`](super::wait) returns and
/// [`Requested`](super::Requested) completes with, and what
/// [`reason`](super::reason) tells a program that polls.
///
/// The signal is the first handled one, the one that woke the waiters; the
/// report's `shutdown_signal` names the same. On Windows, where a console
/// program is told by an event, the events map as the report maps them:
/// Ctrl-C is `Signal(2)` (`SIGINT`), Ctrl-Break `Signal(21)` (the C
/// runtime's `SIGBREAK`), closing the console `Signal(1)` (`SIGHUP`), and
/// system shutdown `Signal(15)` (`SIGTERM`).
///
/// ```
/// use cleanup_runtime::shutdown::{self, Reason};
///
/// shutdown::request();
/// match shutdown::wait() {
///     Reason::Signal(signal) => println!("stopped by signal {signal}"),
///     Reason::Requested => println!("stopped by the program"),
///     _ => println!("stopped"), // non_exhaustive: room for more reasons
/// }
/// assert_eq!(shutdown::reason(), Some(Reason::Requested));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A handled `SIGINT`, `SIGTERM` or `SIGHUP` (its number), in a program
    /// that listens.
    Signal(i32),
    /// [`request`](super::request): the program asked.
    Requested,
}

impl Reason {
    /// The signal, if a signal requested shutdown.
    ///
    /// ```
    /// use cleanup_runtime::shutdown::Reason;
    ///
    /// assert_eq!(Reason::Signal(15).signal(), Some(15));
    /// assert_eq!(Reason::Requested.signal(), None);
    /// ```
    #[must_use]
    pub fn signal(self) -> Option<i32> {
        match self {
            Reason::Signal(signal) => Some(signal),
            Reason::Requested => None,
        }
    }
}

impl fmt::Display for Reason {
    /// `signal 15`, or `requested by the program`.
    ///
    /// ```
    /// use cleanup_runtime::shutdown::Reason;
    ///
    /// assert_eq!(Reason::Signal(15).to_string(), "signal 15");
    /// assert_eq!(Reason::Requested.to_string(), "requested by the program");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Signal(signal) => write!(f, "signal {signal}"),
            Reason::Requested => f.write_str("requested by the program"),
        }
    }
}
