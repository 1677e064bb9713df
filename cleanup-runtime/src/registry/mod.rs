//! The registry layer: what a cleanup returns
//! ([`crate::outcome`], kept at the root), the public registration API ([`registration`]), the gate
//! an entry passes while the process ends ([`intake`]), the one-load
//! first-use check ([`first_use`]), and the registry itself (below).
//!
//! May use: `base/`, `report/` (the final run's record,
//! `report::record::Run`, lives under the registry lock, so it is taken
//! together with the entries; and the pending list is a report's). Calls
//! upward only to set the runtime up at first use, through
//! [`crate::base::set_up`].
//! Used by: every layer above.
//! Architecture invariant: the registry lock is never held while a cleanup
//! runs, and nothing here ends the process or installs a hook itself.
//!
//! The one registry of the process: entries, sequence numbers, named
//! replacement and removal.
//!
//! Entries live in a `Vec` sorted by sequence number. New entries always get
//! the next number, so they are pushed at the end; running pops from the end
//! (last registered first). Removal leaves a tombstone so handles and names
//! can find their slot by binary search. Statics are collected lazily, the
//! first time the registry is locked: a `ctor` cannot read `inventory`
//! (with ctor's default `priority` feature its constructors run before
//! inventory's own, so none of the submissions is visible yet), and a
//! program that never touches the API pays nothing
//! until exit.
//!
//! Ordering constraints (`after`/`before`) are kept in `constraints` (planned by `planner`); while
//! none is pending, the run pops the last entry as described above.

mod by_sequence;
mod constraints;
mod planner;
pub(crate) mod planning;

pub(crate) use constraints::Direction;

pub(crate) mod builder;
pub(crate) mod first_use;
mod fork_aside;
pub(crate) mod intake;
mod lock;
pub(crate) mod registration;
mod replaced;
mod statics;

pub(crate) use fork_aside::Inherited;
pub(crate) use lock::{lock, lock_without_collecting};

use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use self::by_sequence::BySequence;
use crate::base::entry::{Closure, Entry, Label, Origin};
use crate::base::fixed_hash::{self, FixedMap};
use crate::base::pending;
use crate::report::PendingEntry;
use crate::report::record::Run;

/// The id of every unnamed entry's slot, whose occupant never changes.
pub(crate) const UNNAMED: u64 = 0;

/// One place in the sequence; `entry` is `None` once removed.
struct Slot {
    sequence: u64,
    /// Tells a handle's entry apart from one that later took its place
    /// (a named replacement keeps the sequence number, not the id).
    id: u64,
    entry: Option<Entry>,
}

/// What the registry's lock guards.
pub(crate) struct Registry {
    pub(crate) entries: Entries,
    /// The record of the run at exit while it goes on. It shares the lock
    /// of the entries so that each step of that run — complete the record
    /// of the cleanup that ended, take the next entry — is one lock.
    pub(crate) final_run: Option<Run>,
    /// How many runs of [`crate::run_now`] started on a thread other than
    /// the final run's are going on: the final run waits for them before
    /// it takes its record (`run::runner::wait_for_manual_runs`).
    pub(crate) manual_runs: usize,
}

/// The pending cleanups, in sequence.
pub(crate) struct Entries {
    /// Sorted by sequence number.
    slots: Vec<Slot>,
    /// Name -> sequence number of the live named entry.
    names: FixedMap<Arc<str>, u64>,
    /// Sequence number -> the timeout given to the entry there by
    /// `Handle::set_timeout`. Rare, so kept out of the slots, which every
    /// registration writes; it leaves with the entry (run, removed or
    /// replaced).
    timeouts: BySequence<Duration>,
    next_sequence: u64,
    next_id: u64,
    live: usize,
    /// Whether entries may be added the ordinary way; see [`Intake`].
    intake: Intake,
    /// Ordering constraints and the planned order; see `constraints`.
    order: constraints::Constraints,
    /// In a forked child: the parent's entries, set aside until the child
    /// adopts them (see `fork`).
    #[cfg_attr(not(unix), expect(dead_code, reason = "no fork, so never a child"))]
    inherited: Option<Inherited>,
}

/// Where the registry is in the process's life, as far as adding an entry
/// is concerned. One byte that [`lock`] and [`lock_without_collecting`] test on every
/// call, so the states that need a second look cost the ordinary path
/// nothing beyond the test it always made (whether the statics were
/// collected).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Intake {
    /// The statics are not collected yet.
    Uncollected,
    /// The ordinary state: an entry added now runs in the next run.
    Open,
    /// The final run has begun: an entry added now runs in it only if it
    /// is added by the run itself; see `intake`.
    FinalRun,
    /// The final run has taken its last entry: nothing added now would run
    /// unless the one adding it runs it.
    Sealed,
}

/// What `insert` did: the new entry's place, and the entry it replaced (to
/// be dropped by the caller after unlocking: its captures may run arbitrary
/// `Drop` code).
pub(crate) struct Inserted {
    pub(crate) sequence: u64,
    pub(crate) id: u64,
    pub(crate) replaced: Option<Entry>,
}

impl Registry {
    pub(super) const fn new() -> Registry {
        Registry {
            entries: Entries::new(),
            final_run: None,
            manual_runs: 0,
        }
    }
}

impl Entries {
    pub(super) const fn new() -> Entries {
        Entries {
            slots: Vec::new(),
            names: fixed_hash::map(),
            timeouts: BySequence::new(),
            next_sequence: 0,
            next_id: 1,
            live: 0,
            intake: Intake::Uncollected,
            order: constraints::Constraints::new(),
            inherited: None,
        }
    }

    /// Adds a `register` closure: the hot path, with no name to look up
    /// and nothing to replace. Returns its sequence number; its id is
    /// [`UNNAMED`], since only a named slot ever changes occupant.
    #[inline]
    pub(crate) fn push_unnamed(
        &mut self,
        closure: Closure,
        caller: &'static Location<'static>,
        type_name: &'static str,
    ) -> u64 {
        self.push(
            UNNAMED,
            Entry {
                origin: Origin::Registered {
                    caller,
                    label: Label::TypeName(type_name),
                },
                closure: Some(closure),
            },
        )
    }

    /// Adds an entry with the next sequence number; a named entry whose name
    /// is taken replaces the holder in its slot instead.
    pub(crate) fn insert(&mut self, entry: Entry) -> Inserted {
        let id = match entry.name() {
            None => UNNAMED,
            Some(name) => {
                let id = self.next_id;
                self.next_id += 1;
                if let Some(slot) = self.replace_named(name, id) {
                    let sequence = slot.sequence;
                    let inserted = slot.fill(entry, self);
                    if let Some(replaced) = &inserted.replaced {
                        self.entry_left(sequence, replaced);
                    }
                    self.entry_added(sequence);
                    return inserted;
                }
                let name: Arc<str> = match &entry.origin {
                    Origin::Registered {
                        label: Label::Named(name),
                        ..
                    } => Arc::clone(name),
                    _ => Arc::from(name),
                };
                self.names.insert(name, self.next_sequence);
                id
            }
        };
        // Only a static can come with constraints; run-time ones get
        // theirs later, from their handle.
        let constrained = entry
            .declaration()
            .is_some_and(|declared| !declared.after.is_empty() || !declared.before.is_empty());
        let sequence = self.push(id, entry);
        if constrained {
            self.entry_added(sequence);
        }
        Inserted {
            sequence,
            id,
            replaced: None,
        }
    }

    /// Puts `entry` last, under the next sequence number.
    #[inline]
    fn push(&mut self, id: u64, entry: Entry) -> u64 {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.slots.push(Slot {
            sequence,
            id,
            entry: Some(entry),
        });
        self.set_live(self.live + 1);
        sequence
    }

    /// Finds the slot of the live entry called `name`, for a replacement.
    fn replace_named(&mut self, name: &str, id: u64) -> Option<Replacement> {
        let sequence = *self.names.get(name)?;
        // A name always points at a live slot; `index_of` is checked anyway
        // so a broken invariant adds an entry rather than panicking.
        let index = self.index_of(sequence)?;
        Some(Replacement {
            index,
            sequence,
            id,
        })
    }

    fn index_of(&self, sequence: u64) -> Option<usize> {
        self.slots
            .binary_search_by_key(&sequence, |slot| slot.sequence)
            .ok()
    }

    fn get(&self, sequence: u64) -> Option<&Entry> {
        self.index_of(sequence)
            .and_then(|i| self.slots[i].entry.as_ref())
    }

    /// Removes the live named entry called `name`.
    pub(crate) fn remove_named(&mut self, name: &str) -> Option<Entry> {
        let sequence = self.names.remove(name)?;
        let index = self.index_of(sequence)?;
        self.take(index)
    }

    /// Removes the entry a handle points at, if it is still that entry.
    pub(crate) fn remove_handle(&mut self, sequence: u64, id: u64) -> Option<Entry> {
        let index = self.index_of(sequence)?;
        if self.slots[index].id != id {
            return None;
        }
        let entry = self.take(index)?;
        if let Some(name) = entry.name() {
            self.names.remove(name);
        }
        Some(entry)
    }

    /// Whether the entry a handle points at is still pending (not run,
    /// removed, cleared or replaced).
    pub(crate) fn holds(&self, sequence: u64, id: u64) -> bool {
        self.index_of(sequence).is_some_and(|index| {
            let slot = &self.slots[index];
            slot.id == id && slot.entry.is_some()
        })
    }

    /// Takes the entry a handle points at out, to run it on its own
    /// (`Handle::run`): the entry and the timeout it would have run with.
    pub(crate) fn take_to_run(
        &mut self,
        sequence: u64,
        id: u64,
    ) -> Option<(Entry, Option<Duration>)> {
        if !self.holds(sequence, id) {
            return None;
        }
        let given = self.timeouts.get(sequence).copied();
        let entry = self.remove_handle(sequence, id)?;
        let timeout = given.or_else(|| entry.declared_timeout());
        Some((entry, timeout))
    }

    /// Gives the entry a handle points at its own timeout.
    pub(crate) fn set_timeout(&mut self, sequence: u64, id: u64, timeout: Duration) -> bool {
        let Some(index) = self.index_of(sequence) else {
            return false;
        };
        let slot = &self.slots[index];
        if slot.id != id || slot.entry.is_none() {
            return false;
        }
        self.timeouts.insert(sequence, timeout);
        true
    }

    /// The timeout of the entry at `sequence`, forgetting it. Inlined into
    /// the run loop: for the usual entry it is two tests.
    #[inline(always)]
    fn take_timeout(&mut self, sequence: u64, entry: &Entry) -> Option<Duration> {
        let given = match self.timeouts.is_empty() {
            true => None,
            false => self.timeouts.remove(sequence),
        };
        given.or_else(|| entry.declared_timeout())
    }

    fn take(&mut self, index: usize) -> Option<Entry> {
        let slot = &mut self.slots[index];
        let entry = slot.entry.take()?;
        let sequence = slot.sequence;
        if !self.timeouts.is_empty() {
            self.timeouts.remove(sequence);
        }
        self.entry_left(sequence, &entry);
        self.set_live(self.live - 1);
        self.trim();
        Some(entry)
    }

    /// Drops trailing tombstones so `pop_last` stays O(1) amortised.
    #[inline]
    fn trim(&mut self) {
        while matches!(self.slots.last(), Some(Slot { entry: None, .. })) {
            self.slots.pop();
        }
    }

    /// Removes the entry with the highest sequence number, to run it.
    /// Returns its sequence number, the entry and its timeout.
    #[inline(always)]
    pub(crate) fn pop_last(&mut self) -> Option<(u64, Entry, Option<Duration>)> {
        self.trim();
        let slot = self.slots.pop()?;
        let entry = slot.entry?; // trim leaves a live entry last
        self.set_live(self.live - 1);
        if let Some(name) = entry.name() {
            self.names.remove(name);
            self.name_left(&entry);
        }
        let timeout = self.take_timeout(slot.sequence, &entry);
        Some((slot.sequence, entry, timeout))
    }

    /// Forgets every entry, statics included, and keeps the statics from
    /// being collected again. Returns the entries to drop after unlocking.
    pub(crate) fn clear(&mut self) -> Vec<Entry> {
        // Only the statics' part: a clear during the final run (from a
        // cleanup, or another thread) does not reopen the registry.
        if self.intake == Intake::Uncollected {
            self.intake = Intake::Open;
        }
        pending::set_statics_uncollected(false);
        self.names.clear();
        self.timeouts.clear();
        self.set_live(0);
        let slots = std::mem::take(&mut self.slots);
        self.clear_constraints(&slots);
        // A loop, not `filter_map` and `collect`: the in-place collection
        // compiled about 500 lines of LLVM IR for this one call.
        let mut entries = Vec::with_capacity(slots.len());
        for slot in slots {
            if let Some(entry) = slot.entry {
                entries.push(entry);
            }
        }
        entries
    }

    /// The one place the count of live entries changes, so the signal
    /// handler's mirror (`base::pending`) never drifts from it.
    #[inline]
    fn set_live(&mut self, live: usize) {
        self.live = live;
        pending::set_count(live);
    }

    /// A sequence number for a cleanup that is not kept (it runs at once):
    /// numbers are never reused, so its handle points at nothing.
    pub(crate) fn take_sequence(&mut self) -> u64 {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        sequence
    }

    /// Where adding an entry stands; see [`Intake`].
    #[inline(always)]
    pub(crate) fn intake(&self) -> Intake {
        self.intake
    }

    /// Collects the statics if that was not done yet (for a caller of
    /// [`lock_without_collecting`] that found them uncollected).
    pub(crate) fn collect_statics_if_needed(&mut self) {
        if self.intake == Intake::Uncollected {
            self.collect_statics();
        }
    }

    /// The final run begins: from now on an entry is added the ordinary way
    /// only by the run itself. Called under the same lock that puts the
    /// run's record in place, so every entry added before is pending when
    /// the run starts, and none added after slips in unseen.
    pub(crate) fn begin_final_run(&mut self) {
        self.collect_statics_if_needed();
        self.intake = Intake::FinalRun;
    }

    /// The final run has found the registry empty and takes its record:
    /// under that same lock, the registry stops taking entries that nothing
    /// would run.
    pub(crate) fn seal(&mut self) {
        self.intake = Intake::Sealed;
    }

    /// Number of entries waiting to run.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// The pending entries, in the order they would run: last first, or
    /// as the ordering constraints say.
    pub(crate) fn pending(&self) -> Vec<PendingEntry> {
        if let Some(planning) = self.planning() {
            return (planning.pending_planned)(self);
        }
        // Loops here and in `pending_planned`, not `filter_map` and
        // `collect`: each chain compiled about 350 lines of LLVM IR.
        let mut pending = Vec::with_capacity(self.live);
        for slot in self.slots.iter().rev() {
            if let Some(entry) = &slot.entry {
                pending.push(PendingEntry::new(slot.sequence, entry.origin.clone()));
            }
        }
        pending
    }
}

/// A named entry's slot, about to receive its replacement.
struct Replacement {
    index: usize,
    sequence: u64,
    id: u64,
}

impl Replacement {
    /// Puts `entry` in the slot; the replaced entry's own timeout goes with
    /// it, the replacement starts with none of its own.
    fn fill(self, entry: Entry, registry: &mut Entries) -> Inserted {
        let slot = &mut registry.slots[self.index];
        slot.id = self.id;
        let replaced = slot.entry.replace(entry);
        if !registry.timeouts.is_empty() {
            registry.timeouts.remove(self.sequence);
        }
        Inserted {
            sequence: self.sequence,
            id: self.id,
            replaced,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A run-time entry called `name`, named (replaceable) or not; also
    /// for `constraints`' tests.
    pub(in crate::registry) fn entry(name: &'static str, named: bool) -> Entry {
        Entry {
            origin: Origin::Registered {
                caller: Location::caller(),
                label: match named {
                    true => Label::Named(Arc::from(name)),
                    false => Label::TypeName(name),
                },
            },
            closure: Some(Box::new(|| Ok(()))),
        }
    }

    fn drain(registry: &mut Entries) -> Vec<(u64, String)> {
        std::iter::from_fn(|| registry.pop_last())
            .map(|(sequence, entry, _)| (sequence, entry.origin.name().into_owned()))
            .collect()
    }

    #[test]
    fn pops_last_registered_first() {
        let mut registry = Entries::new();
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
        let mut registry = Entries::new();
        let first = registry.insert(entry("db", true));
        registry.insert(entry("other", false));
        let again = registry.insert(entry("db", true));
        assert_eq!(again.sequence, first.sequence);
        assert_ne!(again.id, first.id);
        assert!(again.replaced.is_some());
        assert_eq!(registry.len(), 2);
        assert!(
            registry.remove_handle(first.sequence, first.id).is_none(),
            "stale handle"
        );
        assert!(registry.remove_handle(again.sequence, again.id).is_some());
        assert!(registry.remove_named("db").is_none());
    }

    #[test]
    fn sequence_numbers_are_never_reused() {
        let mut registry = Entries::new();
        registry.insert(entry("a", false));
        let b = registry.insert(entry("b", false));
        registry.pop_last();
        let c = registry.insert(entry("c", false));
        assert!(c.sequence > b.sequence);
    }

    #[test]
    fn removal_leaves_the_rest_in_order() {
        let mut registry = Entries::new();
        registry.insert(entry("a", false));
        let b = registry.insert(entry("b", true));
        registry.insert(entry("c", false));
        assert!(registry.remove_handle(b.sequence, b.id).is_some());
        assert!(
            registry.remove_named("b").is_none(),
            "the name went with the entry"
        );
        assert_eq!(drain(&mut registry), [(2, "c".into()), (0, "a".into())]);
    }

    #[test]
    fn a_timeout_stays_with_its_entry() {
        let mut registry = Entries::new();
        let a = registry.insert(entry("a", true));
        assert!(registry.set_timeout(a.sequence, a.id, Duration::from_secs(1)));
        let replacement = registry.insert(entry("a", true));
        assert!(registry.timeouts.is_empty(), "left with the replaced entry");
        assert!(registry.set_timeout(replacement.sequence, replacement.id, Duration::from_secs(2)));
        let (_, _, timeout) = registry.pop_last().unwrap();
        assert_eq!(timeout, Some(Duration::from_secs(2)));
        assert!(registry.timeouts.is_empty());
    }

    #[test]
    fn unnamed_entries_keep_their_own_timeouts() {
        let mut registry = Entries::new();
        let slow = registry.insert(entry("slow", false));
        registry.insert(entry("quick", false));
        assert_eq!(slow.id, registry.insert(entry("other", false)).id);
        assert!(registry.set_timeout(slow.sequence, slow.id, Duration::from_secs(1)));
        let timeouts: Vec<_> = std::iter::from_fn(|| registry.pop_last())
            .map(|(_, entry, timeout)| (entry.origin.name().into_owned(), timeout))
            .collect();
        assert_eq!(
            timeouts,
            [
                ("other".to_owned(), None),
                ("quick".to_owned(), None),
                ("slow".to_owned(), Some(Duration::from_secs(1)))
            ]
        );
    }

    #[test]
    fn the_intake_closes_for_the_final_run_and_stays_closed() {
        let mut registry = Entries::new();
        assert_eq!(registry.intake(), Intake::Uncollected);
        registry.begin_final_run();
        assert_eq!(
            registry.intake(),
            Intake::FinalRun,
            "statics collected first"
        );
        drop(registry.clear());
        assert_eq!(
            registry.intake(),
            Intake::FinalRun,
            "clear does not reopen it"
        );
        registry.seal();
        let before = registry.insert(entry("a", false)).sequence;
        assert!(
            registry.take_sequence() > before,
            "numbers are never reused"
        );
        registry.set_aside_for_fork_child();
        assert_eq!(
            registry.intake(),
            Intake::Open,
            "a forked child starts open"
        );
    }

    #[test]
    fn clear_forgets_everything_and_statics_stay_uncollected() {
        let mut registry = Entries::new();
        registry.insert(entry("a", true));
        let forgotten = registry.clear();
        assert_eq!(forgotten.len(), 1);
        assert_eq!(registry.len(), 0);
        assert_eq!(registry.intake, Intake::Open);
        assert!(registry.remove_named("a").is_none());
    }
}
