//! Durations as people write them: `CLEANUP_DEADLINE` and `CLEANUP_GRACE`
//! are read with [`parse`] (`300ms`, `5s`, `1m 30s`, `1.5s`), and messages
//! show a duration with [`Shown`] (`1m 30s`, `1s 500ms`).
//!
//! Written out rather than through `humantime`: two small functions did
//! not earn a crate in every user's build (measured: one crate, 0.4 s of a
//! cold debug build on 2 cores). The grammar is humantime's for the units
//! a cleanup's time is counted in; `#[cleanup(timeout = "...")]` accepts
//! the same (cleanup-macros, `duration.rs`, kept in step by both crates'
//! tests).

use std::fmt;
use std::time::Duration;

/// Reads `text`: one or more terms, each a number (an integer, or a
/// decimal such as `1.5`) and a unit, summed; spaces are allowed between
/// and within terms. Units: `ns`, `us` (`µs`), `ms`, `s` (`sec`, `secs`,
/// `second`, `seconds`), `m` (`min`, `mins`, `minute`, `minutes`), `h`
/// (`hr`, `hrs`, `hour`, `hours`), `d` (`day`, `days`).
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Err("empty".to_owned());
    }
    let mut nanos: u128 = 0;
    while !rest.is_empty() {
        let at = text.len() - rest.len();
        let digits = prefix_len(rest, |c| c.is_ascii_digit());
        if digits == 0 {
            return Err(format!("expected a number at {at}"));
        }
        let (whole, after) = rest.split_at(digits);
        let (fraction, after) = match after.strip_prefix('.') {
            Some(after) => after.split_at(prefix_len(after, |c| c.is_ascii_digit())),
            None => ("", after),
        };
        let after = after.trim_start();
        // The unit runs to the next number, space or dot (not "to the next
        // non-letter": Unicode's letter table is 1.5 KB in every binary,
        // for the one non-ASCII unit, `µs`).
        let letters = prefix_len(after, |c| {
            !(c.is_ascii_digit() || c.is_whitespace() || c == '.')
        });
        let (unit, after) = after.split_at(letters);
        let Some(unit_nanos) = unit_nanos(unit) else {
            return Err(if unit.is_empty() {
                format!("a unit is needed after {whole}, as in 5s or 300ms")
            } else {
                format!("unknown unit {unit:?}; use ns, us, ms, s, m, h or d")
            });
        };
        let too_large = || "too large".to_owned();
        let whole = number(whole).ok_or_else(too_large)?;
        let mut term = whole.checked_mul(unit_nanos).ok_or_else(too_large)?;
        if !fraction.is_empty() {
            // At most nine decimals count (a nanosecond of a second).
            let kept = &fraction[..fraction.len().min(9)];
            let scale = 10u128.pow(kept.len() as u32);
            let numerator = number(kept).ok_or_else(too_large)?;
            term += numerator * unit_nanos / scale;
        }
        nanos = nanos.checked_add(term).ok_or_else(too_large)?;
        rest = after.trim_start();
    }
    let seconds = u64::try_from(nanos / 1_000_000_000).map_err(|_| "too large".to_owned())?;
    Ok(Duration::new(seconds, (nanos % 1_000_000_000) as u32))
}

/// The length of the longest start of `text` whose characters all `fit`.
///
/// [`parse`] scans with this and [`number`] rather than with
/// `trim_start_matches` and `str::parse`: each closure handed to
/// `trim_start_matches` compiled a searcher of its own, and `u128`'s
/// `FromStr` one more parser (together about 1,000 lines of LLVM IR), which
/// keeps the crate's own build light.
fn prefix_len(text: &str, fit: fn(char) -> bool) -> usize {
    let mut len = 0;
    for c in text.chars() {
        if !fit(c) {
            break;
        }
        len += c.len_utf8();
    }
    len
}

/// The value of `digits` (ASCII digits only), if a `u128` holds it.
fn number(digits: &str) -> Option<u128> {
    let mut value: u128 = 0;
    for digit in digits.bytes() {
        value = value
            .checked_mul(10)?
            .checked_add(u128::from(digit - b'0'))?;
    }
    Some(value)
}

/// Nanoseconds in one `unit`, if it is one.
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" | "nsec" => 1,
        "us" | "µs" | "usec" => 1_000,
        "ms" | "msec" => 1_000_000,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000_000_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000_000_000,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000_000_000,
        "d" | "day" | "days" => 86_400_000_000_000,
        _ => return None,
    })
}

/// A duration as messages show it: its non-zero parts from days down to
/// nanoseconds, `1m 30s`, `1s 500ms`, `0s`. [`parse`] reads it back.
pub(crate) struct Shown(pub(crate) Duration);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_zero() {
            return f.write_str("0s");
        }
        let seconds = self.0.as_secs();
        let nanos = self.0.subsec_nanos();
        let parts = [
            (seconds / 86_400, "d"),
            (seconds / 3_600 % 24, "h"),
            (seconds / 60 % 60, "m"),
            (seconds % 60, "s"),
            (u64::from(nanos / 1_000_000), "ms"),
            (u64::from(nanos / 1_000 % 1_000), "us"),
            (u64::from(nanos % 1_000), "ns"),
        ];
        let mut first = true;
        // By reference: an array iterated by value compiles an iterator of
        // its own per element type (about 100 lines of LLVM IR each).
        for &(value, unit) in &parts {
            if value > 0 {
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{value}{unit}")?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terms_summed() {
        let ms = Duration::from_millis;
        assert_eq!(parse("300ms"), Ok(ms(300)));
        assert_eq!(parse("5s"), Ok(ms(5_000)));
        assert_eq!(parse("1m 30s"), Ok(ms(90_000)));
        assert_eq!(parse("1m30s"), Ok(ms(90_000)));
        assert_eq!(parse("2 seconds"), Ok(ms(2_000)));
        assert_eq!(parse("1.5s"), Ok(ms(1_500)));
        assert_eq!(parse("1h 2min 3sec 4msec"), Ok(ms(3_723_004)));
        assert_eq!(parse("1d"), Ok(ms(86_400_000)));
        assert_eq!(parse("7us 8ns"), Ok(Duration::from_nanos(7_008)));
        assert_eq!(parse("3µs"), Ok(Duration::from_nanos(3_000)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_the_rest_saying_why() {
        assert_eq!(parse(""), Err("empty".to_owned()));
        assert_eq!(parse("fast"), Err("expected a number at 0".to_owned()));
        assert_eq!(parse("5s fast"), Err("expected a number at 3".to_owned()));
        assert_eq!(
            parse("5"),
            Err("a unit is needed after 5, as in 5s or 300ms".to_owned())
        );
        assert!(
            parse("2 parsecs")
                .unwrap_err()
                .contains("unknown unit \"parsecs\"")
        );
        assert!(
            parse("5s, 2ms")
                .unwrap_err()
                .contains("unknown unit \"s,\"")
        );
        assert!(parse("5πs").unwrap_err().contains("unknown unit \"πs\""));
        assert!(parse("-1s").is_err());
        assert!(parse("99999999999999999999999999999999999999999d").is_err());
        assert!(parse("999999999999999999999d").is_err());
    }

    #[test]
    fn shows_what_it_reads_back() {
        for (duration, text) in [
            (Duration::ZERO, "0s"),
            (Duration::from_millis(1_500), "1s 500ms"),
            (Duration::from_secs(90), "1m 30s"),
            (Duration::from_secs(2), "2s"),
            (Duration::new(90_061, 1_001), "1d 1h 1m 1s 1us 1ns"),
        ] {
            assert_eq!(Shown(duration).to_string(), text);
            assert_eq!(parse(text), Ok(duration));
        }
    }
}
