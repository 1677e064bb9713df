//! [`Cleanup`]: a registration with its options, made in one step.
//!
//! The options (name, timeout, `after`/`before`) are applied under the
//! same registry lock as the insertion, so no run — at exit, on a signal,
//! by `run_now` — can take the entry between the two and run it without
//! them.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use crate::base::entry::{Closure, Entry, Label, Origin};
use crate::outcome::CleanupResult;
use crate::registry::registration::Handle;
use crate::registry::{self, Direction, Entries, Inserted, Intake, first_use, intake, planning};

/// A cleanup with its options, registered with [`Cleanup::register`] in
/// one atomic step: there is no moment at which an exit could run it
/// without its name, timeout or ordering constraints.
///
/// [`register`](crate::register) and [`register_named`](crate::register_named)
/// are the shorthands for a cleanup with no other option;
/// `#[cleanup(name = ..., timeout = ..., after = ..., before = ...)]` is
/// the same for a function known at compile time.
///
/// ```
/// use std::time::Duration;
/// use cleanup_runtime::Cleanup;
///
/// cleanup_runtime::register_named("db-pool", || println!("pool closed"));
/// // Registered later, so LIFO alone would run it first.
/// let cache = Cleanup::new(|| println!("cache flushed"))
///     .name("cache")
///     .timeout(Duration::from_secs(2))
///     .after("db-pool")
///     .before("log-sink") // no "log-sink" pending: ignored
///     .register();
/// let report = cleanup_runtime::run_now();
/// let names: Vec<_> = report.entries().iter().map(|e| e.name()).collect();
/// assert_eq!(names, ["db-pool", "cache"]);
/// assert!(!cache.unregister(), "it ran");
/// ```
///
/// # While the process ends
///
/// [`register`](crate::register#while-the-process-ends)'s rules apply: from
/// another thread than the run's, the cleanup (with its options) joins the
/// run and the thread is parked for good; after the run took its last
/// entry, it runs at once on the registering thread, without a timeout.
#[must_use = "a `Cleanup` registers nothing until `.register()` is called"]
pub struct Cleanup {
    closure: Closure,
    type_name: &'static str,
    caller: &'static Location<'static>,
    name: Option<Arc<str>>,
    options: Options,
}

/// What a registration sets besides the closure and its name.
#[derive(Default)]
pub(crate) struct Options {
    timeout: Option<Duration>,
    after: Vec<Arc<str>>,
    before: Vec<Arc<str>>,
}

impl Cleanup {
    /// A cleanup that runs `cleanup`, not registered yet. `cleanup` may
    /// return `()` or `Result<(), E>` with `E: Display`, as with
    /// [`register`](crate::register). The report gives the `file:line` of
    /// this call.
    ///
    /// ```
    /// let handle = cleanup_runtime::Cleanup::new(|| Ok::<(), std::io::Error>(())).register();
    /// assert!(handle.is_pending());
    /// # cleanup_runtime::clear();
    /// ```
    #[track_caller]
    pub fn new<F, R>(cleanup: F) -> Cleanup
    where
        F: FnOnce() -> R + Send + 'static,
        R: CleanupResult,
    {
        Cleanup::boxed(
            Box::new(move || crate::outcome::into_outcome(cleanup())),
            std::any::type_name::<F>(),
            Location::caller(),
        )
    }

    /// A cleanup from a closure already boxed, labelled `type_name` (the
    /// async form's label is its future's type, not the closure that
    /// drives it).
    pub(crate) fn boxed(
        closure: Closure,
        type_name: &'static str,
        caller: &'static Location<'static>,
    ) -> Cleanup {
        Cleanup {
            closure,
            type_name,
            caller,
            name: None,
            options: Options::default(),
        }
    }

    /// Registers it under `name`: a pending cleanup of that name (run-time
    /// or `#[cleanup(name = ...)]`) is replaced, in its place in the
    /// sequence, as with [`register_named`](crate::register_named); and
    /// other cleanups can order themselves against it.
    ///
    /// ```
    /// cleanup_runtime::Cleanup::new(|| println!("v1")).name("flush").register();
    /// cleanup_runtime::Cleanup::new(|| println!("v2")).name("flush").register();
    /// assert_eq!(cleanup_runtime::run_now().entries().len(), 1);
    /// ```
    pub fn name(mut self, name: &str) -> Cleanup {
        self.name = Some(Arc::from(name));
        self
    }

    /// Gives it a timeout of its own: past it, the run stops waiting,
    /// reports it as `timeout` and goes on with the next one (the cleanup
    /// keeps running on its own thread until the process ends: nothing in
    /// Rust can stop a thread from outside). A cleanup with a timeout runs
    /// on a thread of its own. The run-time form of
    /// `#[cleanup(name = "...", timeout = "2s")]`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cleanup_runtime::{Cleanup, EntryStatus};
    ///
    /// Cleanup::new(|| std::thread::sleep(Duration::from_secs(60)))
    ///     .timeout(Duration::from_millis(10))
    ///     .register();
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.entries()[0].status(), EntryStatus::Timeout);
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Cleanup {
        self.options.timeout = Some(timeout);
        self
    }

    /// Makes it run after the pending cleanup called `name` (declared with
    /// `#[cleanup(name = ...)]` or registered under a name), whatever their
    /// sequence numbers say. May be given several times.
    ///
    /// The constraint names the name, not an entry: a cleanup that later
    /// replaces `name` is the one waited for. If no cleanup of that name is
    /// pending when the run comes to this one, the constraint is ignored
    /// (an optional part of the program, or one already run); it is also
    /// ignored when `name` is this cleanup's own name. See the [crate
    /// docs](crate#ordering-constraints-after-and-before) for the rule and
    /// for cycles.
    ///
    /// ```
    /// use cleanup_runtime::Cleanup;
    ///
    /// cleanup_runtime::register_named("db", || println!("db closed"));
    /// Cleanup::new(|| println!("cache dropped")).after("db").register();
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.entries()[0].name(), "db");
    /// ```
    pub fn after(mut self, name: &str) -> Cleanup {
        planning::link_planning();
        push_unique(&mut self.options.after, name);
        self
    }

    /// Makes it run before the pending cleanup called `name`: `after` on
    /// that cleanup, pointing the other way. See [`Cleanup::after`].
    ///
    /// ```
    /// use cleanup_runtime::Cleanup;
    ///
    /// Cleanup::new(|| println!("orders flushed")).before("db-pool").register();
    /// cleanup_runtime::register_named("db-pool", || println!("pool closed"));
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.entries()[1].name(), "db-pool");
    /// ```
    pub fn before(mut self, name: &str) -> Cleanup {
        planning::link_planning();
        push_unique(&mut self.options.before, name);
        self
    }

    /// Registers the cleanup with its options, in one step, and returns
    /// its [`Handle`].
    ///
    /// ```
    /// let handle = cleanup_runtime::Cleanup::new(|| println!("bye")).register();
    /// assert!(handle.unregister());
    /// ```
    pub fn register(self) -> Handle {
        first_use::ensure();
        let Cleanup {
            closure,
            type_name,
            caller,
            name,
            options,
        } = self;
        let label = match name {
            Some(name) => Label::Named(name),
            None => Label::TypeName(type_name),
        };
        let entry = Entry {
            origin: Origin::Registered { caller, label },
            closure: Some(closure),
        };
        let Inserted {
            sequence,
            id,
            replaced,
        } = {
            let mut registry = registry::lock_without_collecting();
            if registry.entries.intake() == Intake::Open {
                let inserted = registry.entries.insert(entry);
                registry
                    .entries
                    .apply(inserted.sequence, inserted.id, &options);
                inserted
            } else {
                intake::add_with(registry, entry, &options)
            }
        };
        if let Some(replaced) = &replaced {
            super::replaced::note(replaced, caller);
        }
        // Dropped after the lock is released: its captures' `Drop` may
        // register or unregister cleanups.
        drop(replaced);
        Handle::new(sequence, id)
    }
}

impl fmt::Debug for Cleanup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cleanup")
            .field("name", &self.name)
            .field("type_name", &self.type_name)
            .field("caller", &self.caller)
            .field("timeout", &self.options.timeout)
            .field("after", &self.options.after)
            .field("before", &self.options.before)
            .finish_non_exhaustive()
    }
}

fn push_unique(list: &mut Vec<Arc<str>>, name: &str) {
    if !list.iter().any(|known| **known == *name) {
        list.push(Arc::from(name));
    }
}

impl Entries {
    /// Gives the entry just inserted at `sequence` (slot id `id`) its
    /// options, under the lock that inserted it.
    pub(crate) fn apply(&mut self, sequence: u64, id: u64, options: &Options) {
        if let Some(timeout) = options.timeout {
            self.set_timeout(sequence, id, timeout);
        }
        for name in &options.after {
            self.add_constraint(sequence, id, name, Direction::After);
        }
        for name in &options.before {
            self.add_constraint(sequence, id, name, Direction::Before);
        }
    }
}
