//! Feature `tracing`: each cleanup's outcome as a `tracing` event (target
//! `cleanup_runtime`; fields `name`, `sequence`, `source`, `status`,
//! `duration`, `error`; failures at WARN, successes at DEBUG), inside a
//! span `cleanup_run` (fields `trigger`, `status`, `signal`) for the run.
//!
//! Emitted by the run loop after each step, from copies of the records the
//! step completed ([`Run::unannounced`](crate::report::record::Run)), once
//! the registry lock is released: a subscriber is the program's code and
//! may block or register. Each cleanup's event follows it at once rather
//! than all at the end of the run, so a logging guard dropped by a cleanup
//! (`drop_at_exit`) loses only the events after its own cleanup, and
//! ordering it last keeps all of them. Without the feature none of this is
//! compiled and the loop is unchanged.

use tracing::{Level, Span};

use crate::report::EntryStatus;
use crate::report::record::Announcement;

/// Whether a subscriber wants any of the events (WARN is the least verbose
/// level they use). Without one, or with one that filters the target out,
/// this is a cached check and no record is copied, named or formatted: a
/// program built with the feature pays for the events only when it reads
/// them.
pub(crate) fn wanted() -> bool {
    tracing::enabled!(target: "cleanup_runtime", Level::WARN)
}

/// The span of one run, opened with its first event. A run that goes on on
/// a fresh thread (after a cleanup's fatal panic) opens another.
#[derive(Default)]
pub(crate) struct RunSpan(Option<Span>);

impl RunSpan {
    /// Emits `announcement`'s records, each an event in this run's span.
    pub(crate) fn emit(&mut self, announcement: Option<Announcement>) {
        let Some(announcement) = announcement else {
            return;
        };
        let span = self.0.get_or_insert_with(|| {
            tracing::span!(
                target: "cleanup_runtime",
                Level::INFO,
                "cleanup_run",
                trigger = announcement.trigger.as_str(),
                status = announcement.status,
                signal = announcement.signal,
            )
        });
        let debug = tracing::enabled!(target: "cleanup_runtime", Level::DEBUG);
        for entry in &announcement.entries {
            let status = entry.status();
            if status == EntryStatus::Ok && !debug {
                continue;
            }
            let name = entry.name();
            let source = entry.source();
            let duration = entry.duration();
            let error = entry.error();
            match status {
                EntryStatus::Ok => tracing::event!(
                    target: "cleanup_runtime",
                    parent: &*span,
                    Level::DEBUG,
                    name,
                    sequence = entry.sequence(),
                    source,
                    status = status.as_str(),
                    ?duration,
                    error,
                    "cleanup ok"
                ),
                _ => tracing::event!(
                    target: "cleanup_runtime",
                    parent: &*span,
                    Level::WARN,
                    name,
                    sequence = entry.sequence(),
                    source,
                    status = status.as_str(),
                    ?duration,
                    error,
                    "cleanup failed"
                ),
            }
        }
    }
}
