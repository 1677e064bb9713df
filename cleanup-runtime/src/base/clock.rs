//! Cheap timestamps for the duration of each cleanup.
//!
//! A run reads the clock once per boundary between two cleanups. On x86-64
//! that read is the time-stamp counter (`rdtsc`, a single instruction)
//! instead of `clock_gettime` (about 60 instructions here, more than the
//! whole rest of a cleanup's bookkeeping). Ticks become nanoseconds with a
//! ratio measured against the monotonic clock between the first use of the
//! runtime and the start of the run; the counter runs at a constant rate on every
//! x86-64 CPU of the last fifteen years ("invariant TSC"). Elsewhere a
//! tick is a nanosecond of `CLOCK_MONOTONIC` (Windows: of the performance
//! counter).

use std::sync::atomic::{AtomicU64, Ordering};

/// A point in time, in ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp(u64);

/// Ticks and monotonic nanoseconds read together before `main`.
static ORIGIN_TICKS: AtomicU64 = AtomicU64::new(0);
static ORIGIN_NANOS: AtomicU64 = AtomicU64::new(0);

/// Reads the clock.
#[inline]
pub(crate) fn now() -> Stamp {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `rdtsc` is available on every x86-64 CPU and has no
        // preconditions.
        Stamp(unsafe { core::arch::x86_64::_rdtsc() })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        Stamp(monotonic_nanos())
    }
}

#[cfg(unix)]
fn monotonic_nanos() -> u64 {
    // Zeroed, not a struct literal: on 32-bit musl with 64-bit time (and
    // glibc's `_TIME_BITS=64`) `timespec` has private padding fields.
    // SAFETY: `timespec` is plain integers, for which all zeros is valid.
    let mut now: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `now` is a valid out-parameter; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    (now.tv_sec as u64).saturating_mul(1_000_000_000) + now.tv_nsec as u64
}

/// Windows: the performance counter, the monotonic clock std's `Instant`
/// reads there too.
#[cfg(windows)]
fn monotonic_nanos() -> u64 {
    use windows_sys::Win32::System::Performance::{
        QueryPerformanceCounter, QueryPerformanceFrequency,
    };
    let (mut count, mut frequency) = (0i64, 0i64);
    // SAFETY: both are valid out-parameters; neither call fails on Windows
    // XP or later.
    unsafe {
        QueryPerformanceCounter(&mut count);
        QueryPerformanceFrequency(&mut frequency);
    }
    let nanos = u128::from(count.unsigned_abs()) * 1_000_000_000
        / u128::from(frequency.unsigned_abs().max(1));
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

/// Records the origin of the tick-to-nanosecond ratio, once: at the first
/// sign that there will be cleanups to time (a static declared before
/// `main`, or the first use of the registry), not at every program's
/// start. Plain libc.
pub(crate) fn mark_origin() {
    if ORIGIN_TICKS.load(Ordering::Relaxed) == 0 {
        ORIGIN_NANOS.store(monotonic_nanos(), Ordering::Relaxed);
        ORIGIN_TICKS.store(now().0, Ordering::Relaxed);
    }
}

/// Converts tick differences to nanoseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    /// Nanoseconds per tick in 32.32 fixed point: the conversion is then a
    /// multiply and a shift, where floating point would cost some thirty
    /// instructions (u64 <-> f64 has no single x86-64 instruction).
    nanos_per_tick_q32: u64,
}

impl Scale {
    const ONE: u64 = 1 << 32;

    /// The ratio measured from the origin to now.
    pub(crate) fn measure() -> Scale {
        if cfg!(not(target_arch = "x86_64")) {
            return Scale {
                nanos_per_tick_q32: Self::ONE,
            };
        }
        let nanos = monotonic_nanos().saturating_sub(ORIGIN_NANOS.load(Ordering::Relaxed));
        let ticks = now().0.saturating_sub(ORIGIN_TICKS.load(Ordering::Relaxed));
        let nanos_per_tick =
            if ORIGIN_TICKS.load(Ordering::Relaxed) == 0 || nanos == 0 || ticks == 0 {
                // No origin (the constructor did not run) or too short to tell:
                // a common rate is better than none.
                1.0 / 3.0
            } else {
                nanos as f64 / ticks as f64
            };
        Scale {
            nanos_per_tick_q32: (nanos_per_tick * Self::ONE as f64) as u64,
        }
    }

    /// The time from `earlier` to `later`, in nanoseconds.
    #[inline]
    pub(crate) fn nanos_between(self, earlier: Stamp, later: Stamp) -> u64 {
        let ticks = later.0.saturating_sub(earlier.0);
        let nanos = (u128::from(ticks) * u128::from(self.nanos_per_tick_q32)) >> 32;
        u64::try_from(nanos).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_scale_converts_ticks() {
        let third = Scale {
            nanos_per_tick_q32: (Scale::ONE as f64 / 3.0) as u64,
        };
        let nanos = third.nanos_between(Stamp(0), Stamp(3_000_000_000));
        assert!((999_999_999..=1_000_000_000).contains(&nanos), "{nanos}");
        assert_eq!(third.nanos_between(Stamp(5), Stamp(1)), 0, "never negative");
        let huge = Scale {
            nanos_per_tick_q32: u64::MAX,
        };
        assert_eq!(huge.nanos_between(Stamp(0), Stamp(u64::MAX)), u64::MAX);
    }
}
