//! The run-time API for adding and removing cleanups.

use std::panic::Location;
use std::time::Duration;

use crate::base::entry::{Entry, Label, Origin};
use crate::outcome::CleanupResult;
use crate::registry::{self, Intake, UNNAMED};
use crate::registry::{first_use, intake};

/// A registered cleanup, returned by [`register`], [`register_named`] and
/// [`Cleanup::register`](crate::Cleanup::register).
///
/// Dropping a `Handle` does **not** unregister anything: like `atexit`, a
/// registration lasts until it runs. Keep the handle only if you may want
/// to take the cleanup back with [`Handle::unregister`]. That is why it is
/// not `#[must_use]`: `register(f);` is a complete statement, as
/// `atexit(f)` is. (The types whose drop *does* something —
/// [`PidFile`](crate::pidfile::PidFile), [`ResourceGuard`](crate::ResourceGuard),
/// a [temp path](crate::temp::Tracked) you could not find again — are.)
///
/// ```
/// let handle = cleanup_runtime::register(|| println!("never printed"));
/// assert!(handle.unregister());
/// assert!(cleanup_runtime::run_now().entries().is_empty());
/// ```
///
/// A handle is a key: `Clone`, `Eq` and `Hash`, so a component can keep
/// the handles of what it registered in a set or a map. Two handles are
/// equal when they point at the same registration (a named replacement is
/// another registration, in the same place in the sequence).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Handle {
    sequence: u64,
    id: u64,
}

impl Handle {
    pub(crate) fn new(sequence: u64, id: u64) -> Handle {
        Handle { sequence, id }
    }

    /// Its sequence number and slot id, for the floors above that act on
    /// the entry (`Handle::run`).
    pub(crate) fn key(&self) -> (u64, u64) {
        (self.sequence, self.id)
    }

    /// Takes the cleanup back. Returns `false` if it already ran, was
    /// unregistered, was cleared, or — for a named entry — was replaced by
    /// a later [`register_named`] (the replacement is not touched).
    ///
    /// ```
    /// let old = cleanup_runtime::register_named("flush", || println!("old"));
    /// let _new = cleanup_runtime::register_named("flush", || println!("new"));
    /// assert!(!old.unregister(), "the replacement is not the old entry");
    /// assert_eq!(cleanup_runtime::run_now().entries().len(), 1);
    /// ```
    pub fn unregister(self) -> bool {
        let removed = registry::lock()
            .entries
            .remove_handle(self.sequence, self.id);
        removed.is_some()
    }

    /// Gives the cleanup a timeout of its own: past it, the run stops
    /// waiting, reports it as `timeout` and goes on with the next one. (The
    /// cleanup keeps running on its own thread until the process ends;
    /// nothing in Rust can stop a thread from outside.) A cleanup with a
    /// timeout runs on a thread of its own. Returns `false` if the cleanup
    /// already ran or was removed.
    ///
    /// Prefer giving the timeout at registration, with
    /// [`Cleanup::timeout`](crate::Cleanup::timeout): until this call, an
    /// exit would run the cleanup without it. This is for changing the
    /// timeout of a cleanup still pending, from any thread, during the run
    /// at exit too.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// cleanup_runtime::register(|| println!("runs after the slow one is abandoned"));
    /// let slow = cleanup_runtime::register(|| std::thread::sleep(Duration::from_secs(60)));
    /// assert!(slow.set_timeout(Duration::from_millis(10)));
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.entries()[0].status(), cleanup_runtime::EntryStatus::Timeout);
    /// assert_eq!(report.entries()[1].status(), cleanup_runtime::EntryStatus::Ok);
    /// ```
    pub fn set_timeout(&self, timeout: Duration) -> bool {
        registry::lock()
            .entries
            .set_timeout(self.sequence, self.id, timeout)
    }

    /// Whether this registration is still waiting to run: not run yet, not
    /// unregistered, cleared, nor replaced by a later registration of its
    /// name. For tests of code that registers cleanups: it looks at this
    /// one entry only, so other tests' registrations, running in parallel
    /// in the same process, do not change the answer (see the crate docs,
    /// "Testing").
    ///
    /// ```
    /// let handle = cleanup_runtime::register(|| {});
    /// assert!(handle.is_pending());
    /// assert!(handle.clone().unregister());
    /// assert!(!handle.is_pending());
    /// ```
    #[must_use]
    pub fn is_pending(&self) -> bool {
        registry::lock().entries.holds(self.sequence, self.id)
    }

    /// The cleanup's place in the process's one sequence (higher runs
    /// first). A named replacement keeps the sequence of the entry it
    /// replaced.
    ///
    /// ```
    /// let first = cleanup_runtime::register(|| {});
    /// let second = cleanup_runtime::register(|| {});
    /// assert!(second.sequence() > first.sequence());
    /// # cleanup_runtime::clear();
    /// ```
    #[must_use]
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
}

/// Registers `cleanup` to run when the process ends (or at
/// [`run_now`](crate::run_now)), after every cleanup registered later.
///
/// `cleanup` may return `()` or `Result<(), E>` with `E: Display`; an `Err`
/// or a panic is reported and the other cleanups still run. The report
/// names it after its type (for a closure, after where it was written:
/// `closure in app::main`) and gives the caller's `file:line`.
///
/// A closure whose body only panics or exits has type `!`, which rustc will
/// not turn into `()` here: write it `|| -> () { ... }`.
///
/// # While the process ends
///
/// Once the final run (at exit, after a signal, before an abort) has begun,
/// a registration goes by who makes it and when:
///
/// - **From the run itself** — a cleanup, or the thread a cleanup with a
///   timeout runs on: the new cleanup runs in this run, next.
/// - **From any other thread**: the new cleanup runs in this run too, but
///   `register` does not return: the thread is parked for good, as std
///   parks a second caller of `exit`. So threads that keep registering
///   cannot hold the run (each adds at most one cleanup), and what such a
///   thread had just acquired (a temp dir, a [`ResourceGuard`](crate::ResourceGuard)'s
///   resource) is still released. A cleanup that joins such a thread waits
///   for good: the deadline ([`set_deadline`](crate::set_deadline)) is the
///   way out.
/// - **After the run took its last entry** — an `atexit` handler installed
///   before the runtime's, a thread racing the end: nothing would run it
///   any more, so it runs at once, on the calling thread, before
///   `register` returns, with a line on stderr (not in the report, which
///   is written by then).
/// - **Once the deadline passed**: it does not run; a line on stderr says
///   so, and the thread is parked while the process ends.
///
/// Taking cleanups back ([`unregister`], [`Handle::unregister`], [`clear`])
/// and [`Handle::set_timeout`] work from any thread during the run as at
/// any other time, on what has not started yet.
///
/// ```
/// use std::io::Write;
///
/// cleanup_runtime::register(|| println!("bye"));
/// cleanup_runtime::register(|| std::io::stdout().flush());
/// cleanup_runtime::register(|| -> () { panic!("reported, the others still run") });
/// # let report = cleanup_runtime::run_now();
/// # assert_eq!(report.entries().len(), 3);
/// ```
#[track_caller]
pub fn register<F, R>(cleanup: F) -> Handle
where
    F: FnOnce() -> R + Send + 'static,
    R: CleanupResult,
{
    first_use::ensure();
    let closure = Box::new(move || crate::outcome::into_outcome(cleanup()));
    let caller = Location::caller();
    let type_name = std::any::type_name::<F>();
    let mut registry = registry::lock_without_collecting();
    let sequence = if registry.entries.intake() == Intake::Open {
        registry.entries.push_unnamed(closure, caller, type_name)
    } else {
        let entry = Entry {
            origin: Origin::Registered {
                caller,
                label: Label::TypeName(type_name),
            },
            closure: Some(closure),
        };
        intake::add(registry, entry).sequence
    };
    Handle {
        sequence,
        id: UNNAMED,
    }
}

/// [`register`]'s body for a closure already boxed, labelled `type_name`
/// and attributed to `caller`: for registrations made in the crate's name
/// (`register_async`, whose label is the future's type, not the closure
/// that drives it).
///
/// A copy of `register`'s body rather than its callee: with `register`
/// calling it (inlined), `register` measured 63.4 instructions instead of
/// 61.4 (callgrind, `fx-ours`), and `register` is the hot path.
#[cfg_attr(not(feature = "tokio"), allow(dead_code))]
pub(crate) fn register_boxed(
    closure: crate::base::entry::Closure,
    caller: &'static Location<'static>,
    type_name: &'static str,
) -> Handle {
    first_use::ensure();
    let mut registry = registry::lock_without_collecting();
    let sequence = if registry.entries.intake() == Intake::Open {
        registry.entries.push_unnamed(closure, caller, type_name)
    } else {
        let entry = Entry {
            origin: Origin::Registered {
                caller,
                label: Label::TypeName(type_name),
            },
            closure: Some(closure),
        };
        intake::add(registry, entry).sequence
    };
    Handle {
        sequence,
        id: UNNAMED,
    }
}

/// Registers `cleanup` under `name`. If an entry of that name is pending
/// (registered at run time or declared with `#[cleanup(name = ...)]`), the
/// new cleanup takes its place in the sequence and the old one is dropped
/// without running.
///
/// A replacement of a cleanup that another crate registered or declared
/// under that name is most likely two crates using one name for two
/// cleanups: it gets a line on stderr and a
/// [`Warning::ReplacedAcrossCrates`](crate::Warning::ReplacedAcrossCrates)
/// in the report (crates are told apart by the source files' packages,
/// the directory above their `src`). Within one crate, replacing is what
/// names are for, and says nothing.
///
/// While the process ends, the rules of [`register`](register#while-the-process-ends)
/// apply: from another thread than the run's, the cleanup runs in the run
/// and the thread is parked for good; after the run, it runs at once.
///
/// ```
/// cleanup_runtime::register_named("flush-cache", || println!("v1"));
/// cleanup_runtime::register(|| println!("registered later, runs first"));
/// cleanup_runtime::register_named("flush-cache", || println!("v2, in v1's place"));
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.entries()[1].name(), "flush-cache");
/// ```
#[track_caller]
pub fn register_named<F, R>(name: &str, cleanup: F) -> Handle
where
    F: FnOnce() -> R + Send + 'static,
    R: CleanupResult,
{
    // The builder with a name and nothing else: one way to insert a named
    // entry (replacement, the cross-crate warning, a parked thread's
    // registration during the final run).
    super::builder::Cleanup::new(cleanup).name(name).register()
}

/// Removes the pending cleanup registered under `name` (at run time or with
/// `#[cleanup(name = ...)]`). Returns whether there was one.
///
/// `#[at_exit]` functions are not named in this sense: their path is only a
/// label in the report.
///
/// ```
/// cleanup_runtime::register_named("flush-cache", || {});
/// assert!(cleanup_runtime::unregister("flush-cache"));
/// assert!(!cleanup_runtime::unregister("flush-cache"));
/// ```
pub fn unregister(name: &str) -> bool {
    (crate::SET_UP.watch_panics)();
    let removed = registry::lock().entries.remove_named(name);
    removed.is_some()
}

/// Forgets every pending cleanup, the `#[at_exit]` and `#[cleanup]` ones
/// included; they will not run. Cleanups registered afterwards run as usual.
/// During the run at exit it forgets those that have not started: the run
/// then ends with what already ran.
///
/// ```
/// cleanup_runtime::register(|| println!("never printed"));
/// cleanup_runtime::clear();
/// assert!(cleanup_runtime::run_now().entries().is_empty());
/// ```
///
/// **The application's call.** It forgets every crate's cleanups, those
/// of the libraries linked in included (a pool's close, a logger's
/// flush). A library (or a test) takes back what it registered itself,
/// with [`Handle::unregister`] or [`unregister`] by name.
pub fn clear() {
    (crate::SET_UP.watch_panics)();
    let forgotten = registry::lock().entries.clear();
    drop(forgotten);
}
