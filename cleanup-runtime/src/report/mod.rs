//! The report layer: [`Report`] and its entries, their text and JSON
//! forms (below), the record of a run in progress that becomes one
//! ([`record`]), and where `CLEANUP_REPORT` sends them ([`destination`]).
//!
//! May use: `base/` only.
//! Used by: `registry/` (which holds the final run's record), `run/`
//! (which fills records in), `process/` (which writes the final report),
//! `lib.rs`.
//! Architecture invariant: a report is data; building or rendering one
//! never takes the registry lock.
//!
//! What a cleanup run did: [`Report`] and its entries (here); their text
//! forms (`text`) and JSON form (`json`).

pub(crate) mod destination;
pub(crate) mod duration;
mod json;
mod names;
pub(crate) mod record;
mod text;
mod warning;

pub use destination::{ReportDestination, ReportFormat};
pub use names::ParseNameError;
use text::push_entry_line;
pub use warning::{Side, Warning};

use std::borrow::Cow;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::base::entry::Origin;
use crate::base::fixed_hash::StrSet;

/// How a cleanup ended: `None` for success, else its status and message.
/// Boxed, so the common case is one word to carry around the loop.
pub(crate) type Failure = Option<Box<(EntryStatus, String)>>;

/// A failure of `status` with `message`.
pub(crate) fn failure(status: EntryStatus, message: String) -> Failure {
    Some(Box::new((status, message)))
}

/// What ended (or ran) the cleanups.
///
/// ```
/// use cleanup_runtime::Trigger;
/// assert_eq!(Trigger::Exit.as_str(), "exit");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// `main` returned, `std::process::exit` or [`exit`](crate::exit) was
    /// called.
    Exit,
    /// A signal ended the process.
    Signal,
    /// A panic ended the process (status 101 out of `main`, or an abort).
    Panic,
    /// [`run_now`](crate::run_now), or a [`report`](crate::report) taken
    /// while the process goes on.
    Manual,
}

impl Trigger {
    /// The lowercase name used in the text and JSON reports.
    ///
    /// ```
    /// assert_eq!(cleanup_runtime::Trigger::Manual.as_str(), "manual");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Exit => "exit",
            Trigger::Signal => "signal",
            Trigger::Panic => "panic",
            Trigger::Manual => "manual",
        }
    }
}

/// How one cleanup ended.
///
/// ```
/// use cleanup_runtime::EntryStatus;
/// assert!(EntryStatus::Panic.is_failure());
/// assert!(!EntryStatus::Ok.is_failure());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntryStatus {
    /// Returned `()` or `Ok(())`.
    Ok,
    /// Returned `Err`; the report holds its `Display` text.
    Error,
    /// Panicked; the report holds the panic message.
    Panic,
    /// Did not finish within its timeout or the run's deadline.
    Timeout,
    /// Never started: the run's deadline had passed.
    Skipped,
}

impl EntryStatus {
    /// The lowercase name used in the text and JSON reports.
    ///
    /// ```
    /// assert_eq!(cleanup_runtime::EntryStatus::Error.as_str(), "error");
    /// ```
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Ok => "ok",
            EntryStatus::Error => "error",
            EntryStatus::Panic => "panic",
            EntryStatus::Timeout => "timeout",
            EntryStatus::Skipped => "skipped",
        }
    }

    /// Whether this status is worth a line on stderr by default: anything
    /// but [`EntryStatus::Ok`].
    ///
    /// ```
    /// assert!(cleanup_runtime::EntryStatus::Timeout.is_failure());
    /// ```
    #[must_use]
    pub fn is_failure(self) -> bool {
        self != EntryStatus::Ok
    }
}

/// One cleanup that ran (or was given up on).
///
/// ```
/// let here = line!(); cleanup_runtime::register(|| Err::<(), _>("disk full"));
/// let report = cleanup_runtime::run_now();
/// let entry = &report.entries()[0];
/// assert_eq!(entry.status(), cleanup_runtime::EntryStatus::Error);
/// assert_eq!(entry.error(), Some("disk full"));
/// assert_eq!(entry.line(), here);
/// ```
#[derive(Clone, Debug)]
pub struct EntryReport {
    pub(crate) sequence: u64,
    pub(crate) origin: Origin,
    /// `None` when it succeeded: the common case costs one word.
    pub(crate) failure: Failure,
    pub(crate) nanos: u64,
}

impl EntryReport {
    /// The cleanup's name: the `name` it was declared or registered with,
    /// the function's path for `#[at_exit]`, or the closure's type name for
    /// [`register`](crate::register): `closure in app::main` for a closure
    /// written in `app::main` (made readable here, when asked for, so
    /// registering stays as cheap as it was).
    ///
    /// ```
    /// cleanup_runtime::register_named("flush", || {});
    /// assert_eq!(cleanup_runtime::run_now().entries()[0].name(), "flush");
    ///
    /// cleanup_runtime::register(|| {});
    /// let report = cleanup_runtime::run_now();
    /// assert!(report.entries()[0].name().starts_with("closure in "));
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        readable_name(&self.origin)
    }

    /// Its place in the one sequence of the process: statics first (by
    /// module path, then source position), then run-time registrations.
    /// Higher numbers run first.
    ///
    /// ```
    /// let handle = cleanup_runtime::register(|| {});
    /// assert_eq!(cleanup_runtime::run_now().entries()[0].sequence(), handle.sequence());
    /// ```
    #[must_use]
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// `file:line` where it was declared or registered.
    ///
    /// ```
    /// cleanup_runtime::register(|| {});
    /// assert!(cleanup_runtime::run_now().entries()[0].source().contains(".rs:"));
    /// ```
    #[must_use]
    pub fn source(&self) -> String {
        self.origin.source().to_string()
    }

    /// The source file alone.
    ///
    /// ```
    /// cleanup_runtime::register(|| {});
    /// assert!(cleanup_runtime::run_now().entries()[0].file().ends_with(".rs"));
    /// ```
    #[must_use]
    pub fn file(&self) -> &str {
        self.origin.file()
    }

    /// The source line alone.
    ///
    /// ```
    /// let here = line!(); cleanup_runtime::register(|| {});
    /// assert_eq!(cleanup_runtime::run_now().entries()[0].line(), here);
    /// ```
    #[must_use]
    pub fn line(&self) -> u32 {
        self.origin.line()
    }

    /// How it ended.
    ///
    /// ```
    /// cleanup_runtime::register(|| -> () { panic!("boom") });
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.entries()[0].status(), cleanup_runtime::EntryStatus::Panic);
    /// ```
    #[must_use]
    pub fn status(&self) -> EntryStatus {
        self.failure
            .as_ref()
            .map_or(EntryStatus::Ok, |failure| failure.0)
    }

    /// The error's `Display` text or the panic message; `None` when it
    /// succeeded.
    ///
    /// ```
    /// cleanup_runtime::register(|| -> () { panic!("boom") });
    /// assert_eq!(cleanup_runtime::run_now().entries()[0].error(), Some("boom"));
    /// ```
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.failure.as_ref().map(|failure| failure.1.as_str())
    }

    /// How long it ran.
    ///
    /// ```
    /// cleanup_runtime::register(|| std::thread::sleep(std::time::Duration::from_millis(2)));
    /// let report = cleanup_runtime::run_now();
    /// assert!(report.entries()[0].duration() >= std::time::Duration::from_millis(2));
    /// ```
    #[must_use]
    pub fn duration(&self) -> Duration {
        Duration::from_nanos(self.nanos)
    }
}

/// A cleanup still waiting to run.
///
/// ```
/// cleanup_runtime::register_named("close-db", || {});
/// let report = cleanup_runtime::report();
/// assert!(report.pending().iter().any(|p| p.name() == "close-db"));
/// # cleanup_runtime::clear();
/// ```
#[derive(Clone, Debug)]
pub struct PendingEntry {
    sequence: u64,
    origin: Origin,
}

impl PendingEntry {
    pub(crate) fn new(sequence: u64, origin: Origin) -> PendingEntry {
        PendingEntry { sequence, origin }
    }

    /// Its name (see [`EntryReport::name`]).
    ///
    /// ```
    /// cleanup_runtime::register_named("a", || {});
    /// assert_eq!(cleanup_runtime::report().pending()[0].name(), "a");
    /// # cleanup_runtime::clear();
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        readable_name(&self.origin)
    }

    /// Its sequence number (see [`EntryReport::sequence`]).
    ///
    /// ```
    /// let handle = cleanup_runtime::register(|| {});
    /// assert_eq!(cleanup_runtime::report().pending()[0].sequence(), handle.sequence());
    /// # cleanup_runtime::clear();
    /// ```
    #[must_use]
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// `file:line` where it was declared or registered.
    ///
    /// ```
    /// cleanup_runtime::register(|| {});
    /// assert!(cleanup_runtime::report().pending()[0].source().contains(".rs:"));
    /// # cleanup_runtime::clear();
    /// ```
    #[must_use]
    pub fn source(&self) -> String {
        self.origin.source().to_string()
    }

    /// The source file alone (see [`EntryReport::file`]).
    ///
    /// ```
    /// cleanup_runtime::register(|| {});
    /// assert!(cleanup_runtime::report().pending()[0].file().ends_with(".rs"));
    /// # cleanup_runtime::clear();
    /// ```
    #[must_use]
    pub fn file(&self) -> &str {
        self.origin.file()
    }

    /// The source line alone (see [`EntryReport::line`]).
    ///
    /// ```
    /// let here = line!(); cleanup_runtime::register(|| {});
    /// assert_eq!(cleanup_runtime::report().pending()[0].line(), here);
    /// # cleanup_runtime::clear();
    /// ```
    #[must_use]
    pub fn line(&self) -> u32 {
        self.origin.line()
    }
}

/// The name a report gives `origin`: borrowed from it, or — for a closure,
/// whose type name is made readable — made once per closure type, when
/// first asked for, and kept for the life of the process. Not when the
/// entry is recorded, nor in each entry: the run at exit records every
/// cleanup, most reports are never read entry by entry, and a cache in
/// each entry made every cleanup of a run cost 20 more instructions
/// (callgrind, 100,000 cleanups). A program has as many closure types as
/// it has closures in its source, so the names kept are bounded.
fn readable_name(origin: &Origin) -> &str {
    match origin.name() {
        Cow::Borrowed(name) => name,
        Cow::Owned(name) => interned(name),
    }
}

/// `name`, kept once for the life of the process.
fn interned(name: String) -> &'static str {
    static NAMES: Mutex<StrSet<'static>> = Mutex::new(StrSet::new());
    let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = names.get(&name) {
        return known;
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    kept
}

/// What a cleanup run did, entry by entry, in run order.
///
/// Returned by [`run_now`](crate::run_now) and [`report`](crate::report),
/// and written at exit as `CLEANUP_REPORT` asks (see the crate docs). Its
/// `Display` is the text form; [`Report::to_json`] the JSON form.
///
/// ```
/// cleanup_runtime::register(|| println!("first registered, runs last"));
/// cleanup_runtime::register(|| Err::<(), _>("no space left"));
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.entries().len(), 2);
/// assert_eq!(report.failures().count(), 1);
/// let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
/// assert_eq!(json["trigger"], "manual");
/// assert_eq!(json["entries"][0]["error"], "no space left");
/// ```
#[derive(Clone, Debug)]
pub struct Report {
    pub(crate) trigger: Trigger,
    pub(crate) status: Option<i32>,
    pub(crate) signal: Option<i32>,
    pub(crate) shutdown_signal: Option<i32>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) entries: Vec<EntryReport>,
    pub(crate) pending: Vec<PendingEntry>,
}

impl Report {
    /// What ran the cleanups.
    ///
    /// ```
    /// assert_eq!(cleanup_runtime::run_now().trigger(), cleanup_runtime::Trigger::Manual);
    /// ```
    #[must_use]
    pub fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// The exit status the process ends with, when the run is the one at
    /// exit; `None` for a manual run or a death by signal, and where the
    /// C library does not tell it (everywhere but glibc: musl, macOS, the
    /// BSDs) unless the process ended through [`exit`](crate::exit).
    ///
    /// ```
    /// assert_eq!(cleanup_runtime::run_now().exit_status(), None);
    /// ```
    #[must_use]
    pub fn exit_status(&self) -> Option<i32> {
        self.status
    }

    /// The signal that ended the process, if one did.
    ///
    /// ```
    /// assert_eq!(cleanup_runtime::run_now().signal(), None);
    /// ```
    #[must_use]
    pub fn signal(&self) -> Option<i32> {
        self.signal
    }

    /// The first handled SIGINT, SIGTERM or SIGHUP that arrived, whether or
    /// not the program listened for it (see [`shutdown`](crate::shutdown)),
    /// also when the program then ended on its own; `None` if none did.
    ///
    /// ```
    /// assert_eq!(cleanup_runtime::run_now().shutdown_signal(), None);
    /// ```
    #[must_use]
    pub fn shutdown_signal(&self) -> Option<i32> {
        self.shutdown_signal
    }

    /// What the run warns about: each cycle of ordering constraints it
    /// met (the cycle's members then ran last registered first). In a
    /// report from [`report`](crate::report), also the cycles among the
    /// pending cleanups.
    ///
    /// ```
    /// use cleanup_runtime::Cleanup;
    ///
    /// Cleanup::new(|| {}).name("a").after("b").register();
    /// Cleanup::new(|| {}).name("b").after("a").register();
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.warnings().len(), 1);
    /// assert!(matches!(report.warnings()[0], cleanup_runtime::Warning::Cycle { .. }));
    /// let names: Vec<_> = report.entries().iter().map(|e| e.name()).collect();
    /// assert_eq!(names, ["b", "a"], "a cycle's members run last registered first");
    /// ```
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The cleanups that ran, in the order they ran.
    ///
    /// ```
    /// cleanup_runtime::register_named("first", || {});
    /// cleanup_runtime::register_named("second", || {});
    /// let report = cleanup_runtime::run_now();
    /// let names: Vec<&str> = report.entries().iter().map(|e| e.name()).collect();
    /// assert_eq!(names, ["second", "first"]);
    /// ```
    #[must_use]
    pub fn entries(&self) -> &[EntryReport] {
        &self.entries
    }

    /// The entries that did not end [`EntryStatus::Ok`].
    ///
    /// ```
    /// cleanup_runtime::register(|| {});
    /// assert_eq!(cleanup_runtime::run_now().failures().count(), 0);
    /// ```
    pub fn failures(&self) -> impl Iterator<Item = &EntryReport> {
        self.entries.iter().filter(|e| e.failure.is_some())
    }

    /// The cleanups still waiting to run, in the order they would run. Empty
    /// in a report of a finished run; filled in by [`report`](crate::report).
    ///
    /// ```
    /// cleanup_runtime::register(|| {});
    /// assert_eq!(cleanup_runtime::report().pending().len(), 1);
    /// assert!(cleanup_runtime::run_now().pending().is_empty());
    /// ```
    #[must_use]
    pub fn pending(&self) -> &[PendingEntry] {
        &self.pending
    }

    /// The report as one line of JSON:
    /// `{"trigger", "status", "signal", "shutdown_signal", "warnings": [str], "entries": [{"name", "sequence",
    /// "source", "status", "error", "duration_ns"}], "pending": [{"name",
    /// "sequence", "source"}]}`.
    ///
    /// With feature `serde`, [`Report`], [`EntryReport`] and
    /// [`PendingEntry`] implement `serde::Serialize` with these fields, and
    /// [`EntryStatus`] and [`Trigger`] as their lowercase names.
    ///
    /// ```
    /// cleanup_runtime::register_named("flush", || {});
    /// let json: serde_json::Value = serde_json::from_str(&cleanup_runtime::run_now().to_json()).unwrap();
    /// assert_eq!(json["entries"][0]["name"], "flush");
    /// assert_eq!(json["entries"][0]["status"], "ok");
    /// assert!(json["status"].is_null());
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        json::to_string(self)
    }

    /// The one-line-per-failure form used at exit when `CLEANUP_REPORT` is
    /// unset: empty when everything succeeded.
    pub(crate) fn failure_lines(&self) -> String {
        let mut text = String::new();
        for entry in self.failures() {
            text.push_str("cleanup: ");
            push_entry_line(&mut text, entry);
            text.push('\n');
        }
        text
    }
}
