//! systemd's stop protocol, for a service started with `Type=notify` (the
//! `NOTIFY_SOCKET` variable set): `STOPPING=1` when shutdown starts,
//! `EXTEND_TIMEOUT_USEC` so that `TimeoutStopSec` does not `SIGKILL` the
//! cleanups mid-run, and `STATUS=` lines that say what the process is
//! doing. Sent through the `sd-notify` crate (feature `systemd`, on by
//! default; Linux only), which adds no crate but itself to a build that
//! has `libc` already.
//!
//! When it speaks: shutdown starts at the first signal in a listening
//! program ([`shutdown_started`], on the thread acting on signals) or when
//! the final run starts ([`run_started`]), whichever comes first;
//! `STOPPING=1` is sent once. When the run starts the stop timeout is
//! extended, and again, on a thread of its own, each time half of the last
//! extension has passed, while the run goes on:
//!
//! - with a deadline (`CLEANUP_DEADLINE`, `set_deadline`), by at most what
//!   is left of it plus the report's margin: the process never asks for
//!   more time than it can take;
//! - without one, by [`EXTENSION`] at a time, re-sent while the run goes
//!   on: a run that is alive gets more time, and a process that is stuck
//!   hard (no thread of it runs) stops asking within 30 s. Never
//!   "infinity": a deadline is what bounds a hung cleanup.
//!
//! A program without `NOTIFY_SOCKET` pays nothing: the variable is read
//! once, when shutdown starts, and then no socket is made, no message is
//! sent and no thread is started. Neither does a forked child that did not
//! adopt the cleanups speak: it is not the service systemd started.

use std::time::Duration;

/// How much longer a run without a deadline asks for at a time.
#[cfg_attr(
    not(all(target_os = "linux", feature = "systemd")),
    allow(dead_code, reason = "used where the protocol is spoken")
)]
pub(crate) const EXTENSION: Duration = Duration::from_secs(30);

#[cfg(all(target_os = "linux", feature = "systemd"))]
mod notify {
    use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
    use std::time::{Duration, Instant};

    use sd_notify::NotifyState;

    use super::EXTENSION;
    use crate::base::environment;
    use crate::process::{deadline_watchdog, final_run, fork};

    const UNREAD: u8 = 0;
    const ABSENT: u8 = 1;
    const PRESENT: u8 = 2;

    /// Whether `NOTIFY_SOCKET` is set, read once.
    static SOCKET: AtomicU8 = AtomicU8::new(UNREAD);
    /// `STOPPING=1` has been sent.
    static STOPPING_SENT: AtomicBool = AtomicBool::new(false);

    /// Whether to speak: `NOTIFY_SOCKET` is set (read at the first call)
    /// and this is the process systemd started (or a child that adopted
    /// its cleanups).
    fn speaking() -> bool {
        let present = match SOCKET.load(Ordering::Relaxed) {
            ABSENT => false,
            PRESENT => true,
            _ => {
                let present = environment::notify_socket_set();
                SOCKET.store(if present { PRESENT } else { ABSENT }, Ordering::Relaxed);
                present
            }
        };
        present && !fork::is_child_without_cleanups()
    }

    pub(crate) fn shutdown_started(signal: i32, delay: Duration) {
        if !speaking() {
            return;
        }
        let grace = crate::shutdown::grace();
        let status = if delay.is_zero() {
            format!(
                "stopping on signal {signal}: draining (grace {})",
                shown(grace)
            )
        } else {
            format!(
                "stopping on signal {signal}: not ready, serving for {} more, then draining (grace {})",
                shown(delay),
                shown(grace)
            )
        };
        send(&mut [NotifyState::Status(&status)]);
    }

    pub(crate) fn run_started(deadline: Option<Duration>) {
        if !speaking() {
            return;
        }
        let ends_at =
            deadline.map(|limit| Instant::now() + limit + deadline_watchdog::REPORT_GRACE);
        let Some(extension) = extension(ends_at) else {
            return;
        };
        send(&mut [
            NotifyState::ExtendTimeoutUsec(micros(extension)),
            NotifyState::Status("running the cleanups"),
        ]);
        let spawned = crate::base::spawn::named(
            "cleanup-systemd",
            Box::new(move || keep_extending(extension, ends_at)),
        );
        if let Err(error) = spawned {
            crate::base::diagnostics::warn(format_args!(
                "could not start the thread that extends systemd's stop timeout: {error}"
            ));
        }
    }

    /// Re-sends the extension each time half of the last one has passed,
    /// until the run is done or nothing is left before the deadline.
    fn keep_extending(mut last: Duration, ends_at: Option<Instant>) {
        loop {
            if final_run::wait_until_done_for(Some(last / 2)) {
                return;
            }
            let Some(extension) = extension(ends_at) else {
                return;
            };
            let status = progress();
            send(&mut [
                NotifyState::ExtendTimeoutUsec(micros(extension)),
                NotifyState::Status(&status),
            ]);
            last = extension;
        }
    }

    /// How much longer to ask for now: [`EXTENSION`], or less if the
    /// deadline plus the report's margin is nearer; `None` when it has
    /// passed (a millisecond or less left).
    fn extension(ends_at: Option<Instant>) -> Option<Duration> {
        let Some(ends_at) = ends_at else {
            return Some(EXTENSION);
        };
        let left = ends_at.saturating_duration_since(Instant::now());
        (left > Duration::from_millis(1)).then_some(left.min(EXTENSION))
    }

    /// What the run has done so far, for `STATUS=`.
    fn progress() -> String {
        let registry = crate::registry::lock();
        let done = registry
            .final_run
            .as_ref()
            .map_or(0, |run| run.ended().len());
        let left = registry.entries.len();
        drop(registry);
        format!("running the cleanups: {done} done, {left} to go")
    }

    /// Sends `states`, with `STOPPING=1` first if it was not sent yet. A
    /// failure is said once on stderr: the service manager went away, or
    /// the socket is not one; the shutdown goes on without it.
    fn send(states: &mut [NotifyState<'_>]) {
        static FAILED: AtomicBool = AtomicBool::new(false);
        let mut message = Vec::with_capacity(states.len() + 1);
        if !STOPPING_SENT.swap(true, Ordering::SeqCst) {
            message.push(NotifyState::Stopping);
        }
        message.extend(states.iter().cloned());
        if let Err(error) = sd_notify::notify(&message)
            && !FAILED.swap(true, Ordering::Relaxed)
        {
            crate::base::diagnostics::warn(format_args!(
                "could not notify systemd (NOTIFY_SOCKET): {error}"
            ));
        }
    }

    /// `duration` in microseconds, as systemd takes it (at most `u32::MAX`,
    /// over an hour; [`EXTENSION`] is far below).
    fn micros(duration: Duration) -> u32 {
        u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
    }

    fn shown(duration: Duration) -> crate::report::duration::Shown {
        crate::report::duration::Shown(duration)
    }
}

#[cfg(all(target_os = "linux", feature = "systemd"))]
pub(crate) use notify::{run_started, shutdown_started};

/// A listening program's first `signal` arrived, with `delay` before its
/// waiters are woken: `STOPPING=1` and a `STATUS=` line, under systemd.
#[cfg(not(all(target_os = "linux", feature = "systemd")))]
pub(crate) fn shutdown_started(_signal: i32, _delay: std::time::Duration) {}

/// The final run starts, with `deadline`: `STOPPING=1` if not sent yet, the
/// first `EXTEND_TIMEOUT_USEC`, and the thread that re-sends it, under
/// systemd.
#[cfg(not(all(target_os = "linux", feature = "systemd")))]
pub(crate) fn run_started(_deadline: Option<std::time::Duration>) {}
