//! The two durations a listening program's shutdown takes after a signal:
//! the delay ([`DELAY`]: `CLEANUP_SHUTDOWN_DELAY`, else
//! [`set_delay`](super::set_delay), else 0) and the grace period
//! ([`GRACE`]: `CLEANUP_GRACE`, else [`set_grace`](super::set_grace), else
//! 10 s). One kind of setting, written once: the environment wins over the
//! program, a malformed value gets one line on stderr and is ignored.

use std::ffi::OsStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::base::diagnostics;
use crate::base::environment::{self, Variable};

/// A duration the program sets and the environment overrides.
pub(crate) struct Setting {
    /// What it is called in messages ("the grace period").
    what: &'static str,
    variable: Variable,
    default: Duration,
    /// Set by the program, in nanoseconds plus one; 0 for not set.
    program: AtomicU64,
}

/// The grace period when neither the program nor the environment sets one:
/// Docker's stop timeout, and well inside systemd's 90 s and Kubernetes'
/// 30 s.
pub(crate) const DEFAULT_GRACE: Duration = Duration::from_secs(10);

/// How long a listening program has, once woken, to end on its own.
pub(crate) static GRACE: Setting = Setting::new("the grace period", Variable::Grace, DEFAULT_GRACE);

/// How long after the signal the waiters are woken: readiness fails at
/// once, serving goes on meanwhile.
pub(crate) static DELAY: Setting = Setting::new(
    "the shutdown delay",
    Variable::ShutdownDelay,
    Duration::ZERO,
);

impl Setting {
    const fn new(what: &'static str, variable: Variable, default: Duration) -> Setting {
        Setting {
            what,
            variable,
            default,
            program: AtomicU64::new(0),
        }
    }

    /// Sets the program's value (saturated at `u64::MAX` nanoseconds, over
    /// 500 years).
    pub(crate) fn set(&self, value: Duration) {
        let nanos = u64::try_from(value.as_nanos()).unwrap_or(u64::MAX - 1);
        self.program
            .store(nanos.min(u64::MAX - 1) + 1, Ordering::Relaxed);
    }

    /// The program's value, else the default.
    pub(crate) fn program(&self) -> Duration {
        match self.program.load(Ordering::Relaxed) {
            0 => self.default,
            nanos => Duration::from_nanos(nanos - 1),
        }
    }

    /// The value in effect now: the environment's when set and valid, else
    /// the program's. Says nothing about a malformed value (a getter may be
    /// called often); [`Setting::for_signal`] does.
    pub(crate) fn in_effect(&self) -> Duration {
        self.read(|_| {})
    }

    /// The value for a signal that arrived now, as [`Setting::in_effect`],
    /// with one line on stderr for a malformed environment value. In a
    /// privileged process the variable is not read (see `environment`).
    pub(crate) fn for_signal(&self) -> Duration {
        self.read(|message| {
            diagnostics::warn(format_args!(
                "{message}; {} stays {}",
                self.what,
                crate::report::duration::Shown(self.program())
            ));
        })
    }

    fn read(&self, malformed: impl FnOnce(&str)) -> Duration {
        if let Some(value) = environment::read(self.variable) {
            match self.parse(&value) {
                Ok(duration) => return duration,
                Err(message) => malformed(&message),
            }
        }
        self.program()
    }

    /// Parses the variable's value: a duration such as `500ms`, `20s` or
    /// `1m 30s`; `0s` for none.
    pub(crate) fn parse(&self, value: &OsStr) -> Result<Duration, String> {
        let text = value.to_str().unwrap_or_default().trim();
        crate::report::duration::parse(text).map_err(|error| {
            format!(
                "{}={value:?} is not a duration such as 500ms, 20s or 1m 30s ({error})",
                self.variable.name()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_and_rejects_the_rest() {
        for setting in [&GRACE, &DELAY] {
            let parse = |s: &str| setting.parse(OsStr::new(s));
            assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
            assert_eq!(parse("20s"), Ok(Duration::from_secs(20)));
            assert_eq!(parse(" 1m 30s "), Ok(Duration::from_secs(90)));
            assert_eq!(parse("0s"), Ok(Duration::ZERO));
            for bad in ["", "soon", "-1s", "5", "off"] {
                let message = parse(bad).unwrap_err();
                assert!(message.starts_with(setting.variable.name()), "{message}");
                assert!(!message.contains('\n'), "one line: {message}");
            }
        }
    }

    #[test]
    fn the_program_value_has_a_default_and_can_be_zero() {
        let setting = Setting::new("a test value", Variable::Grace, DEFAULT_GRACE);
        assert_eq!(setting.program(), DEFAULT_GRACE);
        setting.set(Duration::ZERO);
        assert_eq!(setting.program(), Duration::ZERO);
        setting.set(Duration::from_secs(3));
        assert_eq!(setting.program(), Duration::from_secs(3));
        setting.set(Duration::MAX);
        assert!(setting.program() > Duration::from_secs(500 * 365 * 86_400));
        assert_eq!(DELAY.program(), Duration::ZERO, "no delay by default");
    }
}
