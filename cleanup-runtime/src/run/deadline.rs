//! Bounds on how long cleanups may run: the deadline of the whole run at
//! exit (`CLEANUP_DEADLINE` or [`set_deadline`](crate::set_deadline)), and
//! the per-cleanup timeout.
//!
//! A hung cleanup cannot be stopped from outside — Rust has no way to kill
//! a thread — so both bounds work by no longer waiting for it: a cleanup
//! with its own timeout runs on a thread of its own and is abandoned when
//! the timeout passes; when the run's deadline passes, a watchdog thread
//! writes the report and ends the process with `_exit`.

use std::ffi::OsStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::base::diagnostics;
use crate::base::environment::{self, Variable};

/// The environment variable read when the run at exit starts.
pub(crate) const VARIABLE: &str = Variable::Deadline.name();

/// Set by [`set_deadline`](crate::set_deadline), in nanoseconds; 0 for none.
static PROGRAM_DEADLINE: AtomicU64 = AtomicU64::new(0);

/// Sets (or with `None` removes) the program's deadline for the run at
/// exit. See [`crate::set_deadline`].
pub(crate) fn set(deadline: Option<Duration>) {
    let nanos = deadline.map_or(0, |d| {
        u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
    });
    PROGRAM_DEADLINE.store(nanos, Ordering::Relaxed);
}

/// The deadline for the run at exit: `CLEANUP_DEADLINE` when set and valid,
/// else the program's own. A malformed value gets one line on stderr and
/// is ignored; in a privileged process the variable is not read (see
/// `environment`).
pub(crate) fn for_exit_run() -> Option<Duration> {
    if let Some(value) = environment::read(Variable::Deadline) {
        match parse(&value) {
            Ok(deadline) => return deadline,
            Err(message) => diagnostics::warn(format_args!("{message}; no deadline from it")),
        }
    }
    match PROGRAM_DEADLINE.load(Ordering::Relaxed) {
        0 => None,
        nanos => Some(Duration::from_nanos(nanos)),
    }
}

/// What [`for_exit_run`] would give now, without a line on stderr for a
/// malformed variable (that line is the run at exit's to write). See
/// [`crate::deadline`].
pub(crate) fn current() -> Option<Duration> {
    if let Some(Ok(deadline)) = environment::read(Variable::Deadline).map(|value| parse(&value)) {
        return deadline;
    }
    match PROGRAM_DEADLINE.load(Ordering::Relaxed) {
        0 => None,
        nanos => Some(Duration::from_nanos(nanos)),
    }
}

/// Parses a `CLEANUP_DEADLINE` value: a duration such as `300ms`, `5s` or
/// `1m 30s`; `off` or `none` for no deadline.
pub(crate) fn parse(value: &OsStr) -> Result<Option<Duration>, String> {
    let text = value.to_str().unwrap_or_default().trim();
    if text == "off" || text == "none" {
        return Ok(None);
    }
    match crate::report::duration::parse(text) {
        Ok(duration) if !duration.is_zero() => Ok(Some(duration)),
        Ok(_) => Err(format!(
            "{VARIABLE}={value:?} is zero; give a positive duration such as 300ms or 5s"
        )),
        Err(error) => Err(format!(
            "{VARIABLE}={value:?} is not a duration such as 300ms, 5s or 1m 30s ({error})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_off() {
        let parse = |s: &str| parse(OsStr::new(s));
        assert_eq!(parse("300ms"), Ok(Some(Duration::from_millis(300))));
        assert_eq!(parse("5s"), Ok(Some(Duration::from_secs(5))));
        assert_eq!(parse("1m 30s"), Ok(Some(Duration::from_secs(90))));
        assert_eq!(parse("off"), Ok(None));
        for bad in ["", "fast", "0s", "-1s", "5"] {
            let message = parse(bad).unwrap_err();
            assert!(message.starts_with("CLEANUP_DEADLINE="), "{message}");
        }
    }
}
