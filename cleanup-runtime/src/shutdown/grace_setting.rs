//! How long a listening program has to end on its own after a signal:
//! `CLEANUP_GRACE`, else [`set_grace`](super::set_grace), else 10 s.

use std::ffi::OsStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::base::diagnostics;
use crate::base::environment::{self, Variable};

/// The grace period when neither the program nor the environment sets one:
/// Docker's stop timeout, and well inside systemd's 90 s and Kubernetes'
/// 30 s.
pub(crate) const DEFAULT: Duration = Duration::from_secs(10);

/// The environment variable that overrides the program's grace period.
pub(crate) const VARIABLE: &str = Variable::Grace.name();

/// Set by [`set_grace`](super::set_grace), in nanoseconds plus one; 0 for
/// not set.
static PROGRAM_GRACE: AtomicU64 = AtomicU64::new(0);

/// Sets the program's grace period.
pub(super) fn set(grace: Duration) {
    let nanos = u64::try_from(grace.as_nanos()).unwrap_or(u64::MAX - 1);
    PROGRAM_GRACE.store(nanos.saturating_add(1), Ordering::Relaxed);
}

/// The program's grace period: [`set`]'s, else [`DEFAULT`].
pub(crate) fn program() -> Duration {
    match PROGRAM_GRACE.load(Ordering::Relaxed) {
        0 => DEFAULT,
        nanos => Duration::from_nanos(nanos - 1),
    }
}

/// The grace period that starts at a signal now: `CLEANUP_GRACE` when set
/// and valid, else the program's. A malformed value gets one line on
/// stderr and is ignored; in a privileged process the variable is not read
/// (see `environment`).
pub(crate) fn for_signal() -> Duration {
    if let Some(value) = environment::read(Variable::Grace) {
        match parse(&value) {
            Ok(grace) => return grace,
            Err(message) => diagnostics::warn(format_args!(
                "{message}; the grace period stays {}",
                crate::report::duration::Shown(program())
            )),
        }
    }
    program()
}

/// Parses a `CLEANUP_GRACE` value: a duration such as `500ms`, `20s` or
/// `1m 30s`; `0s` for none (the cleanups start at the signal, the waiters
/// are still woken).
pub(crate) fn parse(value: &OsStr) -> Result<Duration, String> {
    let text = value.to_str().unwrap_or_default().trim();
    crate::report::duration::parse(text).map_err(|error| {
        format!("{VARIABLE}={value:?} is not a duration such as 500ms, 20s or 1m 30s ({error})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_rejects_the_rest() {
        let parse = |s: &str| parse(OsStr::new(s));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse(" 1m 30s "), Ok(Duration::from_secs(90)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
        for bad in ["", "soon", "-1s", "5", "off"] {
            let message = parse(bad).unwrap_err();
            assert!(message.starts_with("CLEANUP_GRACE="), "{message}");
            assert!(!message.contains('\n'), "one line: {message}");
        }
    }

    #[test]
    fn the_program_grace_defaults_to_ten_seconds_and_can_be_zero() {
        assert_eq!(program(), DEFAULT);
        set(Duration::ZERO);
        assert_eq!(program(), Duration::ZERO);
        set(Duration::from_secs(3));
        assert_eq!(program(), Duration::from_secs(3));
        set(Duration::MAX);
        // Saturated at u64::MAX nanoseconds: over 500 years.
        assert!(program() > Duration::from_secs(500 * 365 * 86_400));
    }
}
