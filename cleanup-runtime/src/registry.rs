//! The one registry of the process: entries, sequence numbers, named
//! replacement and removal.
//!
//! Entries live in a `Vec` sorted by sequence number. New entries always get
//! the next number, so they are pushed at the end; running pops from the end
//! (last registered first). Removal leaves a tombstone so handles and names
//! can find their slot by binary search. Statics are collected lazily, the
//! first time the registry is locked: a `ctor` cannot read `inventory`
//! (FINDINGS.md), and a program that never touches the API pays nothing
//! until exit.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::__private::{Outcome, StaticCleanup};
use crate::diagnostics;

/// The code of one cleanup.
pub(crate) enum Action {
    /// A function declared with `#[at_exit]` or `#[cleanup]`.
    Static(fn() -> Outcome),
    /// A closure given to `register` or `register_named`.
    Boxed(Box<dyn FnOnce() -> Outcome + Send>),
}

impl Action {
    pub(crate) fn call(self) -> Outcome {
        match self {
            Action::Static(run) => run(),
            Action::Boxed(run) => run(),
        }
    }
}

/// Where and how a cleanup was declared: what the report says about it.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) name: Cow<'static, str>,
    pub(crate) sequence: u64,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
}

impl Origin {
    /// `file:line`, for the report.
    pub(crate) fn source(&self) -> SourceLine<'_> {
        SourceLine(self)
    }
}

/// Displays an origin's `file:line` without allocating.
pub(crate) struct SourceLine<'a>(&'a Origin);

impl std::fmt::Display for SourceLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.0.file, self.0.line)
    }
}

/// One registered cleanup.
pub(crate) struct Entry {
    pub(crate) origin: Origin,
    /// Tells a handle's entry apart from one that later took its place
    /// (a named replacement keeps the sequence number, not the id).
    pub(crate) id: u64,
    /// Whether `unregister(name)` and `register_named` can find it.
    pub(crate) named: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) action: Action,
}

/// What a new run-time entry is made of.
pub(crate) struct NewEntry {
    pub(crate) name: Cow<'static, str>,
    pub(crate) named: bool,
    pub(crate) file: &'static str,
    pub(crate) line: u32,
    pub(crate) timeout: Option<Duration>,
    pub(crate) action: Action,
}

pub(crate) struct Registry {
    /// Sorted by sequence number; `None` is a removed entry.
    slots: Vec<(u64, Option<Entry>)>,
    /// Name -> sequence number of the live named entry.
    names: BTreeMap<String, u64>,
    next_sequence: u64,
    next_id: u64,
    live: usize,
    statics_collected: bool,
    /// In a forked child: the parent's entries, set aside until the child
    /// adopts them (see `fork`).
    inherited: Option<Inherited>,
}

/// A parent's entries as a forked child found them.
pub(crate) struct Inherited {
    slots: Vec<(u64, Option<Entry>)>,
    names: BTreeMap<String, u64>,
    live: usize,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry::new());

/// Compares two strings, answering at once for the common case of one
/// literal shared by both: statics of one module carry the very same
/// `module_path!()` and `file!()` strings, so a plain comparison would read
/// them to the end for every pair (over 90% of the sorting time for 10,000
/// statics, BENCHMARKS.md).
fn same_str_first(a: &str, b: &str) -> std::cmp::Ordering {
    if std::ptr::eq(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// Pending entries, mirrored for the signal handler, which may not lock:
/// with none pending (and no statics declared) a signal takes its default
/// action at once, without waking the watcher thread.
pub(crate) static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Set before `main` when the program declares static cleanups, cleared
/// once they are collected (from then on `PENDING` counts them).
pub(crate) static STATICS_UNCOLLECTED: AtomicBool = AtomicBool::new(false);

/// Whether any cleanup may be waiting to run. Async-signal-safe.
pub(crate) fn anything_pending() -> bool {
    PENDING.load(Ordering::Relaxed) > 0 || STATICS_UNCOLLECTED.load(Ordering::Relaxed)
}

/// Locks the registry, collecting the statics on first use.
///
/// A poisoned lock is taken as it is: the registry's invariants hold between
/// any two statements that could panic, and refusing to run cleanups because
/// some thread once panicked would break the crate's one promise.
pub(crate) fn lock() -> MutexGuard<'static, Registry> {
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    if !registry.statics_collected {
        registry.collect_statics();
    }
    registry
}

impl Registry {
    const fn new() -> Registry {
        Registry {
            slots: Vec::new(),
            names: BTreeMap::new(),
            next_sequence: 0,
            next_id: 1,
            live: 0,
            statics_collected: false,
            inherited: None,
        }
    }

    /// In a forked child: sets the parent's entries aside, so they neither
    /// run nor show as pending here. Cheap and lock-free by design: it runs
    /// in the child right after `fork`, with the registry lock taken by the
    /// `fork` prepare handler.
    pub(crate) fn set_aside_for_fork_child(&mut self) {
        self.statics_collected = true;
        STATICS_UNCOLLECTED.store(false, Ordering::Relaxed);
        let inherited = Inherited {
            slots: std::mem::take(&mut self.slots),
            names: std::mem::take(&mut self.names),
            live: self.live,
        };
        self.set_live(0);
        // A child forked from a child: what its parent had set aside is
        // not its to adopt either.
        if let Some(older) = self.inherited.replace(inherited) {
            std::mem::forget(older);
        }
    }

    /// Takes the entries set aside at `fork` back: they run in this process
    /// now, before (in sequence terms) everything registered since.
    pub(crate) fn adopt_inherited(&mut self) -> bool {
        let Some(inherited) = self.inherited.take() else {
            return false;
        };
        let mut slots = inherited.slots;
        slots.append(&mut self.slots);
        self.slots = slots;
        for (name, sequence) in inherited.names {
            self.names.entry(name).or_insert(sequence);
        }
        self.set_live(self.live + inherited.live);
        true
    }

    fn collect_statics(&mut self) {
        crate::clock::mark_origin();
        self.statics_collected = true;
        STATICS_UNCOLLECTED.store(false, Ordering::Relaxed);
        let mut statics: Vec<&'static StaticCleanup> =
            inventory::iter::<StaticCleanup>.into_iter().collect();
        // inventory's order changes from build to build (FINDINGS.md): sort
        // by where each cleanup was written instead.
        statics.sort_unstable_by(|a, b| {
            same_str_first(a.module_path, b.module_path)
                .then_with(|| same_str_first(a.file, b.file))
                .then_with(|| (a.line, a.column, a.name).cmp(&(b.line, b.column, b.name)))
        });
        for declared in statics {
            if declared.named {
                self.warn_if_duplicate(declared);
            }
            self.insert(NewEntry {
                name: Cow::Borrowed(declared.name),
                named: declared.named,
                file: declared.file,
                line: declared.line,
                timeout: declared.timeout,
                action: Action::Static(declared.run),
            });
        }
    }

    /// The macro makes a duplicate name a link error; this catches what the
    /// linker cannot see (for example two copies of the runtime's registry
    /// in different dynamic libraries would not reach here, but a linker
    /// that tolerates duplicate symbols would).
    fn warn_if_duplicate(&self, declared: &StaticCleanup) {
        if let Some(earlier) = self.names.get(declared.name).and_then(|&s| self.get(s)) {
            diagnostics::warn(format_args!(
                "two cleanups are named {:?}: {}:{} and {}:{}; the later one replaces the earlier",
                declared.name,
                earlier.origin.file,
                earlier.origin.line,
                declared.file,
                declared.line
            ));
        }
    }

    /// Adds an entry with the next sequence number; a named entry whose name
    /// is taken replaces the holder in its slot instead. Returns the
    /// sequence, the id, and the replaced entry (to be dropped by the caller
    /// after unlocking: its captures may run arbitrary `Drop` code).
    pub(crate) fn insert(&mut self, new: NewEntry) -> (u64, u64, Option<Entry>) {
        let id = self.next_id;
        self.next_id += 1;
        let holder = match new.named {
            true => self.names.get(new.name.as_ref()).copied(),
            false => None,
        };
        // A name always points at a live slot; `index_of` is checked anyway
        // so a broken invariant adds an entry rather than panicking.
        if let Some((sequence, index)) = holder.and_then(|s| Some((s, self.index_of(s)?))) {
            let entry = Self::build(new, sequence, id);
            let replaced = self.slots[index].1.replace(entry);
            return (sequence, id, replaced);
        }
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        if new.named {
            self.names.insert(new.name.clone().into_owned(), sequence);
        }
        let entry = Self::build(new, sequence, id);
        self.slots.push((sequence, Some(entry)));
        self.set_live(self.live + 1);
        (sequence, id, None)
    }

    fn build(new: NewEntry, sequence: u64, id: u64) -> Entry {
        Entry {
            origin: Origin {
                name: new.name,
                sequence,
                file: new.file,
                line: new.line,
            },
            id,
            named: new.named,
            timeout: new.timeout,
            action: new.action,
        }
    }

    fn index_of(&self, sequence: u64) -> Option<usize> {
        self.slots.binary_search_by_key(&sequence, |(s, _)| *s).ok()
    }

    fn get(&self, sequence: u64) -> Option<&Entry> {
        self.index_of(sequence)
            .and_then(|i| self.slots[i].1.as_ref())
    }

    /// Removes the live named entry called `name`.
    pub(crate) fn remove_named(&mut self, name: &str) -> Option<Entry> {
        let sequence = self.names.remove(name)?;
        self.take(sequence)
    }

    /// Removes the entry a handle points at, if it is still that entry.
    pub(crate) fn remove_handle(&mut self, sequence: u64, id: u64) -> Option<Entry> {
        if self.get(sequence)?.id != id {
            return None;
        }
        let entry = self.take(sequence)?;
        if entry.named {
            self.names.remove(entry.origin.name.as_ref());
        }
        Some(entry)
    }

    /// Gives the entry a handle points at its own timeout.
    pub(crate) fn set_timeout(&mut self, sequence: u64, id: u64, timeout: Duration) -> bool {
        let Some(index) = self.index_of(sequence) else {
            return false;
        };
        match self.slots[index].1.as_mut() {
            Some(entry) if entry.id == id => {
                entry.timeout = Some(timeout);
                true
            }
            _ => false,
        }
    }

    fn take(&mut self, sequence: u64) -> Option<Entry> {
        let index = self.index_of(sequence)?;
        let entry = self.slots[index].1.take()?;
        self.set_live(self.live - 1);
        self.trim();
        Some(entry)
    }

    /// Drops trailing tombstones so `pop_last` stays O(1) amortised.
    fn trim(&mut self) {
        while matches!(self.slots.last(), Some((_, None))) {
            self.slots.pop();
        }
    }

    /// Removes and returns the entry with the highest sequence number.
    pub(crate) fn pop_last(&mut self) -> Option<Entry> {
        self.trim();
        let (_, entry) = self.slots.pop()?;
        let entry = entry.expect("trim leaves a live entry last");
        self.set_live(self.live - 1);
        if entry.named {
            self.names.remove(entry.origin.name.as_ref());
        }
        Some(entry)
    }

    /// Forgets every entry, statics included, and keeps the statics from
    /// being collected again. Returns the entries to drop after unlocking.
    pub(crate) fn clear(&mut self) -> Vec<(u64, Option<Entry>)> {
        self.statics_collected = true;
        STATICS_UNCOLLECTED.store(false, Ordering::Relaxed);
        self.names.clear();
        self.set_live(0);
        std::mem::take(&mut self.slots)
    }

    /// The one place the count of live entries changes, so the signal
    /// handler's mirror (`PENDING`) never drifts from it.
    fn set_live(&mut self, live: usize) {
        self.live = live;
        PENDING.store(live, Ordering::Relaxed);
    }

    /// Number of entries waiting to run.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// The pending entries, in the order they would run (last first).
    pub(crate) fn pending(&self) -> Vec<Origin> {
        self.slots
            .iter()
            .rev()
            .filter_map(|(_, entry)| entry.as_ref().map(|e| e.origin.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &'static str, named: bool) -> NewEntry {
        NewEntry {
            name: Cow::Borrowed(name),
            named,
            file: "test.rs",
            line: 1,
            timeout: None,
            action: Action::Static(|| Ok(())),
        }
    }

    fn drain(registry: &mut Registry) -> Vec<(u64, String)> {
        std::iter::from_fn(|| registry.pop_last())
            .map(|e| (e.origin.sequence, e.origin.name.into_owned()))
            .collect()
    }

    #[test]
    fn pops_last_registered_first() {
        let mut registry = Registry::new();
        for name in ["a", "b", "c"] {
            registry.insert(entry(name, false));
        }
        assert_eq!(
            drain(&mut registry),
            [(2, "c".into()), (1, "b".into()), (0, "a".into())]
        );
        assert_eq!(registry.len(), 0);
    }

    #[test]
    fn named_replacement_keeps_the_sequence_and_returns_the_old_entry() {
        let mut registry = Registry::new();
        let (first, first_id, _) = registry.insert(entry("db", true));
        registry.insert(entry("other", false));
        let (again, again_id, replaced) = registry.insert(entry("db", true));
        assert_eq!(again, first);
        assert_ne!(again_id, first_id);
        assert!(replaced.is_some());
        assert_eq!(registry.len(), 2);
        assert!(
            registry.remove_handle(first, first_id).is_none(),
            "stale handle"
        );
        assert!(registry.remove_handle(again, again_id).is_some());
        assert!(registry.remove_named("db").is_none());
    }

    #[test]
    fn sequence_numbers_are_never_reused() {
        let mut registry = Registry::new();
        registry.insert(entry("a", false));
        let (b, _, _) = registry.insert(entry("b", false));
        registry.pop_last();
        let (c, _, _) = registry.insert(entry("c", false));
        assert!(c > b);
    }

    #[test]
    fn removal_leaves_the_rest_in_order() {
        let mut registry = Registry::new();
        registry.insert(entry("a", false));
        let (b, b_id, _) = registry.insert(entry("b", true));
        registry.insert(entry("c", false));
        assert!(registry.remove_handle(b, b_id).is_some());
        assert!(
            registry.remove_named("b").is_none(),
            "the name went with the entry"
        );
        assert_eq!(drain(&mut registry), [(2, "c".into()), (0, "a".into())]);
    }

    #[test]
    fn clear_forgets_everything_and_statics_stay_uncollected() {
        let mut registry = Registry::new();
        registry.insert(entry("a", true));
        let forgotten = registry.clear();
        assert_eq!(forgotten.len(), 1);
        assert_eq!(registry.len(), 0);
        assert!(registry.statics_collected);
        assert!(registry.remove_named("a").is_none());
    }
}
