//! The record of a run in progress, which becomes its [`Report`]. It lives
//! under the registry lock (`Registry::final_run` for the final run), so
//! the entries and the record of what ran are always taken together.

use crate::base::clock::{self, Scale, Stamp};
use crate::base::entry::Origin;
use crate::base::listening;
use crate::report::{EntryReport, EntryStatus, Failure, Report, Trigger, failure};

/// A run in progress.
pub(crate) struct Run {
    pub(crate) trigger: Trigger,
    pub(crate) status: Option<i32>,
    pub(crate) signal: Option<i32>,
    /// In run order. While `running`, the last one is the cleanup running
    /// now, its status and duration not known yet: it is written when the
    /// cleanup starts and completed when it ends, so nothing moves twice.
    entries: Vec<EntryReport>,
    running: bool,
    /// When the previous cleanup ended: one clock read per boundary times
    /// every cleanup (two per cleanup would double the cost of the loop).
    last_boundary: Stamp,
    /// Turns clock ticks into durations.
    scale: Scale,
    /// Feature `tracing`: how many of `entries` were handed out as events
    /// already (see [`Run::unannounced`]).
    #[cfg(feature = "tracing")]
    announced: usize,
}

/// Feature `tracing`: the records a run completed since it last said, with
/// what its span gives (see `run::events`).
#[cfg(feature = "tracing")]
pub(crate) struct Announcement {
    pub(crate) trigger: Trigger,
    pub(crate) status: Option<i32>,
    pub(crate) signal: Option<i32>,
    pub(crate) entries: Vec<EntryReport>,
}

impl Run {
    pub(crate) fn new(trigger: Trigger, status: Option<i32>, signal: Option<i32>) -> Run {
        Run {
            trigger,
            status,
            signal,
            entries: Vec::new(),
            running: false,
            last_boundary: clock::now(),
            scale: Scale::measure(),
            #[cfg(feature = "tracing")]
            announced: 0,
        }
    }

    /// Feature `tracing`: copies of the records completed since the last
    /// call, to be emitted once the registry lock is released; `None` when
    /// there are none, or when nobody is `listening` (then they count as
    /// said: a subscriber installed later does not get old events).
    #[cfg(feature = "tracing")]
    pub(crate) fn unannounced(&mut self, listening: bool) -> Option<Announcement> {
        let ended = self.ended().len();
        let from = std::mem::replace(&mut self.announced, ended);
        (from < ended && listening).then(|| Announcement {
            trigger: self.trigger,
            status: self.status,
            signal: self.signal,
            entries: self.entries[from..ended].to_vec(),
        })
    }

    /// Makes room for the records of `additional` more cleanups.
    #[inline]
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Starts the record of a cleanup taken out of the registry.
    #[inline(always)]
    pub(crate) fn open(&mut self, sequence: u64, origin: Origin) {
        self.entries.push(EntryReport {
            sequence,
            origin,
            failure: None,
            nanos: 0,
        });
        self.running = true;
    }

    /// Completes the record of the running cleanup, which ended at `now`
    /// (with `failure`, unless it succeeded); with nothing running, `now`
    /// only marks where the next one starts.
    #[inline(always)]
    pub(crate) fn close(&mut self, failure: Failure, now: Stamp) {
        if let (true, Some(entry)) = (std::mem::take(&mut self.running), self.entries.last_mut()) {
            entry.nanos = self.scale.nanos_between(self.last_boundary, now);
            entry.failure = failure;
        }
        self.last_boundary = now;
    }

    /// Adds the entries of a run that went on inside this one (a
    /// [`run_now`] during the final run). They ended before the cleanup
    /// running now, which may be the one that called `run_now`, so they go
    /// before it.
    pub(crate) fn add_nested(&mut self, entries: &[EntryReport]) {
        #[cfg(feature = "tracing")]
        let at = self.entries.len() - usize::from(self.running);
        // Not `splice`: its `Splice` and `Drain` compile about 900 lines of
        // LLVM IR into the crate, for the one entry moved.
        let running = if self.running {
            self.entries.pop()
        } else {
            None
        };
        self.entries.extend_from_slice(entries);
        if let Some(running) = running {
            self.entries.push(running);
        }
        // Their own run emitted their events.
        #[cfg(feature = "tracing")]
        if self.announced == at {
            self.announced += entries.len();
        }
    }

    /// Records a cleanup that will not run, and `why` (the deadline passed
    /// first; the thread that would run it is outside the program's rules).
    pub(crate) fn skip(&mut self, sequence: u64, origin: Origin, why: &str) {
        self.entries.push(EntryReport {
            sequence,
            origin,
            failure: failure(EntryStatus::Skipped, why.to_owned()),
            nanos: 0,
        });
    }

    /// The cleanups that ran and ended, in run order.
    pub(crate) fn ended(&self) -> &[EntryReport] {
        &self.entries[..self.entries.len() - usize::from(self.running)]
    }

    pub(crate) fn into_report(mut self) -> Report {
        if self.running {
            self.entries.pop();
        }
        Report {
            trigger: self.trigger,
            status: self.status,
            signal: self.signal,
            shutdown_signal: listening::first_signal(),
            // Kept in the registry while the run goes on (a field here
            // costs every step of the loop), added by the caller.
            warnings: Vec::new(),
            entries: self.entries,
            pending: Vec::new(),
        }
    }
}
