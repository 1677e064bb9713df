//! A report's text forms: the whole report (`Display`), and the one line
//! per failure written at exit when `CLEANUP_REPORT` is unset.

use std::fmt;

use super::{EntryReport, Report};

pub(super) fn push_entry_line(text: &mut String, entry: &EntryReport) {
    use fmt::Write;
    let _ = write!(
        text,
        "{:?} ({}) {}",
        entry.name(),
        entry.origin.source(),
        entry.status().as_str()
    );
    if let Some(error) = entry.error() {
        let _ = write!(text, ": {error}");
    }
}

/// The text form: a header line, then one line per entry in run order.
///
/// ```text
/// cleanup report: trigger=exit status=0 signal=none shutdown_signal=none: 2 entries, 1 failed
///   #7 ok     0.012ms "close-db" (src/main.rs:10)
///   #3 error  0.002ms "drain" (src/main.rs:20): connection refused
/// ```
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cleanup report: trigger={}", self.trigger.as_str())?;
        match self.status {
            Some(status) => write!(f, " status={status}")?,
            None => write!(f, " status=none")?,
        }
        match self.signal {
            Some(signal) => write!(f, " signal={signal}")?,
            None => write!(f, " signal=none")?,
        }
        match self.shutdown_signal {
            Some(signal) => write!(f, " shutdown_signal={signal}")?,
            None => write!(f, " shutdown_signal=none")?,
        }
        writeln!(
            f,
            ": {} entries, {} failed",
            self.entries.len(),
            self.failures().count()
        )?;
        for warning in &self.warnings {
            writeln!(f, "  warning: {warning}")?;
        }
        for entry in &self.entries {
            write!(
                f,
                "  #{} {:<7} {}ms {:?} ({})",
                entry.sequence,
                entry.status().as_str(),
                Millis(entry.nanos),
                entry.name(),
                entry.origin.source()
            )?;
            if let Some(error) = entry.error() {
                write!(f, ": {error}")?;
            }
            writeln!(f)?;
        }
        for pending in &self.pending {
            writeln!(
                f,
                "  #{} pending {:?} ({})",
                pending.sequence,
                pending.name(),
                pending.origin.source()
            )?;
        }
        Ok(())
    }
}

/// Nanoseconds shown as milliseconds with three decimals, rounded to the
/// nearest microsecond. In integers: formatting a float would bring about
/// 15 KB of std's float printing into every program that links the crate.
struct Millis(u64);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.saturating_add(500) / 1_000;
        write!(f, "{}.{:03}", micros / 1_000, micros % 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::Millis;

    #[test]
    fn milliseconds_have_three_decimals_rounded_to_the_microsecond() {
        let shown = |nanos| Millis(nanos).to_string();
        assert_eq!(shown(0), "0.000");
        assert_eq!(shown(499), "0.000");
        assert_eq!(shown(500), "0.001");
        assert_eq!(shown(12_345), "0.012");
        assert_eq!(shown(1_234_567), "1.235");
        assert_eq!(shown(60_000_000_000), "60000.000");
        assert_eq!(shown(u64::MAX), "18446744073709.551");
    }
}
