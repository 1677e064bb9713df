//! The registry's side of ordering constraints: who is constrained, the
//! run-time constraints (`Handle::after` / `Handle::before`), and the
//! planned order the run takes entries in while any constraint is pending.
//!
//! The run loop tests one number, the count of pending constrained entries:
//! at 0 it pops the last entry as it always did (LIFO, at no extra cost);
//! otherwise it first comes here ([`Entries::put_planned_last`]) to put the
//! planned entry last, then pops it the same way. The plan
//! (`crate::order`) is made once and kept while nothing is added or
//! removed; a registration, removal, replacement or new constraint makes
//! the next step plan again, so entries registered during the run are
//! placed by the same rule.
//!
//! A constraint naming no pending cleanup is ignored (an optional part of
//! the program, or one that already ran or was unregistered); one naming
//! a name no cleanup ever had in this process — a named static linked in,
//! a pending entry, a run-time entry that left — is most likely a
//! misspelling: the plan that meets it says so once, on stderr and in
//! the report's warnings ([`Entries::unknown_targets`]). Registration pays
//! nothing for this: the names of run-time entries are noted as they
//! leave ([`Entries::name_left`]), the statics' are read from `inventory`
//! when a plan meets a name it does not know.
//!
//! Constraints name names, not entries: replacing a named entry keeps what
//! other entries' constraints on that name mean. An entry's own run-time
//! constraints leave with it (as its own timeout does), and a replacement
//! starts with the constraints it declares, if any.

use std::sync::Arc;
use std::time::Duration;

use super::by_sequence::BySequence;
use super::planner::{self, Node, Targets};
use super::planning;
use super::{Entries, Slot};
use crate::base::descriptor::StaticCleanup;
use crate::base::diagnostics;
use crate::base::entry::{Entry, Label, Origin};
use crate::base::fixed_hash::{NameSet, StrSet};
use crate::report::{PendingEntry, Side, Warning};

/// Which side of another cleanup an entry runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Runs after the named cleanup.
    After,
    /// Runs before the named cleanup.
    Before,
}

/// The constraints of one entry given at run time.
#[derive(Default)]
struct Given {
    after: Vec<Arc<str>>,
    before: Vec<Arc<str>>,
}

/// What the registry keeps about ordering.
pub(crate) struct Constraints {
    /// Pending entries with at least one constraint (declared or given).
    /// The run loop's one test: 0 means plain LIFO.
    constrained: usize,
    /// Sequence number -> constraints given at run time to the entry there.
    given: BySequence<Given>,
    /// The order the run takes entries in, while it holds.
    plan: Option<Planned>,
    /// The members of every cycle found so far: their constraints among
    /// themselves stay dropped, so a later plan keeps their order and does
    /// not report them again.
    broken: Vec<Vec<u64>>,
    /// The warnings every cycle found so far got, for `report()`.
    warnings: Vec<Warning>,
    /// Those not yet in a run's record: the run takes them when it ends
    /// ([`Entries::take_warnings`]), so its steps need not carry the record.
    unclaimed: Vec<Warning>,
    /// The names of run-time named entries that left (ran, removed,
    /// cleared): a constraint naming one is about an entry that existed.
    departed: NameSet,
    /// The targets named by a constraint that a plan already looked up
    /// (found, or warned about): each is looked up, and warned about, once.
    looked_up: NameSet,
}

/// A plan and the registry state it was made for.
struct Planned {
    /// The sequence numbers still to take, the next one last.
    remaining: Vec<u64>,
    /// `next_sequence` and `live` of the registry when it was last true:
    /// any registration or removal since changes one of them.
    next_sequence: u64,
    live: usize,
}

impl Constraints {
    pub(crate) const fn new() -> Constraints {
        Constraints {
            constrained: 0,
            given: BySequence::new(),
            plan: None,
            broken: Vec::new(),
            warnings: Vec::new(),
            unclaimed: Vec::new(),
            departed: NameSet::new(),
            looked_up: NameSet::new(),
        }
    }
}

/// Whether a named static cleanup called `name` is linked into the
/// program (pending, run or unregistered, it counts as registered).
fn declared_statically(name: &str) -> bool {
    inventory::iter::<StaticCleanup>
        .into_iter()
        .any(|declared| declared.named && declared.name == name)
}

/// The constraints an entry declared (`#[cleanup(after = ...)]`).
fn declared(entry: &Entry) -> (&'static [&'static str], &'static [&'static str]) {
    match entry.declaration() {
        Some(declared) => (declared.after, declared.before),
        None => (&[], &[]),
    }
}

impl Entries {
    /// Whether no pending entry has a constraint: the run pops the last
    /// entry. Inlined into the run loop; one load and one test.
    #[inline(always)]
    pub(crate) fn unconstrained(&self) -> bool {
        self.order.constrained == 0
    }

    /// The planning steps, when some pending entry is constrained (then
    /// they are linked: see [`planning`]); `None` means plain LIFO.
    #[inline(always)]
    pub(super) fn planning(&self) -> Option<&'static planning::Planning> {
        match self.unconstrained() {
            true => None,
            false => planning::planning(),
        }
    }

    fn is_constrained(&self, sequence: u64, entry: &Entry) -> bool {
        let (after, before) = declared(entry);
        !after.is_empty() || !before.is_empty() || self.order.given.contains(sequence)
    }

    /// The entry at `sequence` was added, or took a replaced one's place.
    pub(super) fn entry_added(&mut self, sequence: u64) {
        let constrained = self
            .get(sequence)
            .is_some_and(|entry| self.is_constrained(sequence, entry));
        if constrained {
            self.order.constrained += 1;
        }
        self.order.plan = None;
    }

    /// The entry at `sequence` left the registry (ran, removed, replaced):
    /// its run-time constraints go with it.
    pub(super) fn entry_left(&mut self, sequence: u64, entry: &Entry) {
        self.name_left(entry);
        if self.order.constrained == 0 {
            return;
        }
        if self.is_constrained(sequence, entry) {
            self.order.constrained -= 1;
        }
        self.order.given.remove(sequence);
        self.order.plan = None;
    }

    /// In a forked child, with the parent's entries set aside: none of the
    /// child's is constrained yet. Frees nothing (the `fork` child handler
    /// must not touch the allocator): the plan is left to leak, the
    /// run-time constraints stay, keyed by the set-aside entries' sequence
    /// numbers, for [`Entries::adopt_inherited`].
    #[cfg(unix)]
    pub(super) fn set_aside_ordering(&mut self) {
        self.order.constrained = 0;
        if let Some(plan) = self.order.plan.take() {
            std::mem::forget(plan);
        }
    }

    /// Counts the constrained entries again, after the set of entries
    /// changed wholesale (a forked child adopting its parent's).
    #[cfg(unix)]
    pub(super) fn recount_constrained(&mut self) {
        self.order.constrained = 0;
        self.order.plan = None;
        // Loops here and in `plan_pending`, not adapter chains: about 750
        // lines of LLVM IR fewer.
        let mut constrained = 0;
        for slot in &self.slots {
            if let Some(entry) = &slot.entry
                && self.is_constrained(slot.sequence, entry)
            {
                constrained += 1;
            }
        }
        self.order.constrained = constrained;
    }

    /// Forgets the constraints of the entries `clear` forgets.
    pub(super) fn clear_constraints(&mut self, cleared: &[Slot]) {
        for slot in cleared {
            self.order.given.remove(slot.sequence);
            if let Some(entry) = &slot.entry {
                self.name_left(entry);
            }
        }
        self.order.constrained = 0;
        self.order.plan = None;
    }

    /// `Handle::after` / `Handle::before`: the entry a handle points at (if
    /// it is still that entry, and pending) runs after / before the pending
    /// cleanup called `name`. Returns whether it was still pending.
    pub(crate) fn add_constraint(
        &mut self,
        sequence: u64,
        id: u64,
        name: &str,
        direction: Direction,
    ) -> bool {
        let Some(index) = self.index_of(sequence) else {
            return false;
        };
        let slot = &self.slots[index];
        let Some(entry) = slot.entry.as_ref() else {
            return false;
        };
        if slot.id != id {
            return false;
        }
        if !self.is_constrained(sequence, entry) {
            self.order.constrained += 1;
        }
        let given = self
            .order
            .given
            .get_or_insert_with(sequence, Given::default);
        let list = match direction {
            Direction::After => &mut given.after,
            Direction::Before => &mut given.before,
        };
        if !list.iter().any(|known| **known == *name) {
            list.push(Arc::from(name));
        }
        self.order.plan = None;
        true
    }

    /// Makes the entry the plan takes next the last slot, so that the run
    /// loop's ordinary [`Entries::pop_last`] takes it: the loop keeps one
    /// way of taking an entry, and the unconstrained run pays only the test
    /// of [`Entries::unconstrained`]. Plans first if anything changed since
    /// the last step; a cycle found now gets its line on stderr, and its
    /// warning waits for the run to claim it ([`Entries::take_warnings`]).
    ///
    /// The entries above it (those held back by a constraint) move down one
    /// place, so the planned entry sits last, out of sequence, until the
    /// `pop_last` that the caller makes under the same lock takes it:
    /// nothing else looks at the slots in between, and after it they are in
    /// sequence again. With one constraint in ten, the planned entry is a
    /// slot or two from the end. Its ordering bookkeeping is done here, as
    /// it is about to leave.
    ///
    /// Reached through [`planning`] only (see its module).
    #[cold]
    #[inline(never)]
    pub(super) fn put_planned_last(&mut self) {
        self.trim();
        for _ in 0..2 {
            let current = self.order.plan.as_ref().is_some_and(|plan| {
                plan.next_sequence == self.next_sequence && plan.live == self.live
            });
            if !current {
                self.make_plan();
            }
            while let Some(sequence) = self.order.plan.as_mut().and_then(|p| p.remaining.pop()) {
                let Some(index) = self.find_near_end(sequence) else {
                    continue;
                };
                let Some(entry) = self.slots[index].entry.as_ref() else {
                    continue;
                };
                if self.is_constrained(sequence, entry) {
                    self.order.constrained -= 1;
                }
                if !self.order.given.is_empty() {
                    self.order.given.remove(sequence);
                }
                let live_after = self.live - 1;
                if let Some(plan) = self.order.plan.as_mut() {
                    plan.live = live_after;
                }
                // Last, the entries above it (held back by constraints)
                // moving down one: the order of the rest is kept.
                self.slots[index..].rotate_left(1);
                return;
            }
            // The plan ran out with entries left: it was stale after all.
            self.order.plan = None;
            if self.live == 0 {
                return;
            }
        }
        // Never reached while plans are right; if one were not, the last
        // entry goes (LIFO).
    }

    /// Takes the entry that runs next: the last one, or the planned one
    /// when some are constrained. The run loop's step and the deadline's
    /// `skipped` list both take entries this way; inlined, the
    /// unconstrained case is one test before `pop_last`.
    #[inline(always)]
    pub(crate) fn pop_next(&mut self) -> Option<(u64, Entry, Option<Duration>)> {
        if let Some(planning) = self.planning() {
            (planning.put_planned_last)(self);
        }
        self.pop_last()
    }

    /// A warning for the report of the run that is ending, and for
    /// `report()`: something the run did not do and why.
    pub(crate) fn add_warning(&mut self, warning: Warning) {
        self.order.warnings.push(warning.clone());
        self.order.unclaimed.push(warning);
    }

    /// The cycle warnings found since a run last took them, for the report
    /// of the run that is ending.
    pub(crate) fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.order.unclaimed)
    }

    /// The same, left for the run that takes them (a `run_now` inside the
    /// final run: the final run's report lists them).
    pub(crate) fn warnings_unclaimed(&self) -> Vec<Warning> {
        self.order.unclaimed.clone()
    }

    /// The index of the slot of `sequence`: looked for from the end, where
    /// the planned entry nearly always is, then by binary search.
    fn find_near_end(&self, sequence: u64) -> Option<usize> {
        const NEAR: usize = 8;
        let near = self.slots.len().saturating_sub(NEAR);
        match self.slots[near..]
            .iter()
            .rposition(|slot| slot.sequence == sequence)
        {
            Some(offset) => Some(near + offset),
            None => self.index_of(sequence),
        }
    }

    fn make_plan(&mut self) {
        for (target, warning) in self.unknown_targets() {
            self.order.looked_up.insert(target);
            if let Some(warning) = warning {
                diagnostics::warn(format_args!("{warning}"));
                self.order.warnings.push(warning.clone());
                self.order.unclaimed.push(warning);
            }
        }
        let plan = self.plan_pending();
        for cycle in &plan.cycles {
            let warning = cycle.warning();
            diagnostics::warn(format_args!("{warning}"));
            self.order.warnings.push(warning.clone());
            self.order.unclaimed.push(warning);
            self.order.broken.push(cycle.members.clone());
        }
        let mut remaining = plan.order;
        remaining.reverse();
        self.order.plan = Some(Planned {
            remaining,
            next_sequence: self.next_sequence,
            live: self.live,
        });
    }

    /// The planned order of the pending entries, with the cycles not
    /// broken before.
    fn plan_pending(&self) -> planner::Plan {
        let mut nodes = Vec::with_capacity(self.live);
        for slot in &self.slots {
            if let Some(entry) = &slot.entry {
                let (after, before) = declared(entry);
                let given = match self.order.given.is_empty() {
                    true => None,
                    false => self.order.given.get(slot.sequence),
                };
                nodes.push(Node {
                    sequence: slot.sequence,
                    name: entry.name(),
                    label: entry.origin.stored_name(),
                    after: Targets {
                        declared: after,
                        given: given.map_or(&[], |given| &given.after),
                    },
                    before: Targets {
                        declared: before,
                        given: given.map_or(&[], |given| &given.before),
                    },
                });
            }
        }
        planner::plan(&nodes, &self.order.broken)
    }

    /// The pending entries in the order the run would take them, when
    /// some are constrained (see [`Entries::pending`]). Reached through
    /// [`planning`] only.
    pub(super) fn pending_planned(&self) -> Vec<PendingEntry> {
        let order = self.plan_pending().order;
        let mut pending = Vec::with_capacity(order.len());
        for sequence in order {
            if let Some(entry) = self.get(sequence) {
                pending.push(PendingEntry::new(sequence, entry.origin.clone()));
            }
        }
        pending
    }

    /// A named run-time entry left: its name stays known to constraints
    /// (a static's is known from `inventory`). Off the registration path:
    /// called as an entry runs, is removed or is cleared.
    pub(super) fn name_left(&mut self, entry: &Entry) {
        if let Origin::Registered {
            label: Label::Named(name),
            ..
        } = &entry.origin
            && !self.order.departed.contains(name)
        {
            self.order.departed.insert(Arc::clone(name));
        }
    }

    /// The targets of pending entries' constraints that no pending entry
    /// has and no plan looked up before, each once: with the warning to
    /// give when no cleanup of this process ever had that name.
    fn unknown_targets<'s>(&'s self) -> Vec<(Arc<str>, Option<Warning>)> {
        let mut seen = StrSet::new();
        let mut found = Vec::new();
        for slot in &self.slots {
            let Some(entry) = slot.entry.as_ref() else {
                continue;
            };
            let (after, before) = declared(entry);
            let given = self.order.given.get(slot.sequence);
            // A visit of each list, not a chain of them (`Targets::each`).
            let mut look_up = |side: Side, target: &'s str| {
                if self.names.contains_key(target)
                    || self.order.looked_up.contains(target)
                    || !seen.insert(target)
                {
                    return;
                }
                let known = self.order.departed.contains(target) || declared_statically(target);
                let warning = (!known).then(|| Warning::UnknownName {
                    cleanup: entry.origin.name().into_owned(),
                    source: entry.origin.source().to_string(),
                    side,
                    name: target.to_owned(),
                });
                found.push((Arc::from(target), warning));
            };
            let after = Targets {
                declared: after,
                given: given.map_or(&[], |given| &given.after),
            };
            let before = Targets {
                declared: before,
                given: given.map_or(&[], |given| &given.before),
            };
            after.each(|target| look_up(Side::After, target));
            before.each(|target| look_up(Side::Before, target));
        }
        found
    }

    /// The cycle warnings of this process so far, and those the pending
    /// entries would give, for `report()`.
    pub(crate) fn warnings(&self) -> Vec<Warning> {
        let mut warnings = self.order.warnings.clone();
        if let Some(planning) = self.planning() {
            warnings.extend((planning.pending_warnings)(self));
        }
        warnings
    }

    /// The warnings a plan of the pending entries would give now: unknown
    /// names and cycles. Reached through [`planning`] only.
    pub(super) fn pending_warnings(&self) -> Vec<Warning> {
        // Loops, not `filter_map`/`map` and `collect`: the in-place
        // collection and the adapters compiled about 1,000 lines of LLVM
        // IR for this cold call.
        let mut warnings = Vec::new();
        for (_, warning) in self.unknown_targets() {
            if let Some(warning) = warning {
                warnings.push(warning);
            }
        }
        for cycle in &self.plan_pending().cycles {
            warnings.push(cycle.warning());
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::tests::entry;

    /// An empty registry in a process whose planning is linked, as it is
    /// once anything can constrain an entry.
    fn planned_entries() -> Entries {
        planning::link_planning();
        Entries::new()
    }

    /// Takes every entry the way the run loop does.
    fn drain(registry: &mut Entries) -> (Vec<String>, Vec<Warning>) {
        let mut names = Vec::new();
        while let Some((_, entry, _)) = registry.pop_next() {
            names.push(entry.origin.name().into_owned());
        }
        (names, registry.take_warnings())
    }

    fn pending(registry: &Entries) -> Vec<String> {
        registry
            .pending()
            .iter()
            .map(|p| p.name().to_owned())
            .collect()
    }

    #[test]
    fn handles_constrain_and_the_count_goes_back_to_zero() {
        let mut registry = planned_entries();
        let db = registry.insert(entry("db", true));
        let cache = registry.insert(entry("cache", true));
        registry.insert(entry("log", false));
        assert!(registry.unconstrained());
        assert!(registry.add_constraint(cache.sequence, cache.id, "db", Direction::After));
        assert!(!registry.unconstrained());
        assert_eq!(pending(&registry), ["log", "db", "cache"]);
        let (ran, warnings) = drain(&mut registry);
        assert_eq!(ran, ["log", "db", "cache"]);
        assert!(warnings.is_empty());
        assert!(registry.unconstrained(), "the constrained entry left");
        assert!(
            !registry.add_constraint(db.sequence, db.id, "x", Direction::Before),
            "ran"
        );
    }

    #[test]
    fn a_replacement_is_what_others_wait_for_and_drops_its_own_constraints() {
        let mut registry = planned_entries();
        registry.insert(entry("db", true));
        let cache = registry.insert(entry("cache", true));
        registry.insert(entry("other", false));
        assert!(registry.add_constraint(cache.sequence, cache.id, "db", Direction::After));
        // "db" replaced: cache still waits for whoever holds the name.
        registry.insert(entry("db", true));
        assert_eq!(pending(&registry), ["other", "db", "cache"]);
        // "cache" replaced: its constraint went with the old entry.
        registry.insert(entry("cache", true));
        assert!(registry.unconstrained());
        assert_eq!(pending(&registry), ["other", "cache", "db"]);
    }

    #[test]
    fn registrations_and_removals_during_the_run_are_planned_in() {
        let mut registry = planned_entries();
        registry.insert(entry("db", true));
        let cache = registry.insert(entry("cache", true));
        registry.add_constraint(cache.sequence, cache.id, "db", Direction::After);
        let first = registry.pop_next().unwrap().1;
        assert_eq!(first.origin.name(), "db");
        // Added during the run, before the rest: it runs first (highest),
        // unless constrained.
        let late = registry.insert(entry("late", true));
        registry.add_constraint(late.sequence, late.id, "cache", Direction::After);
        let (ran, _) = drain(&mut registry);
        assert_eq!(ran, ["cache", "late"]);
    }

    #[test]
    fn a_cycle_warns_once_and_every_member_runs() {
        let mut registry = planned_entries();
        let a = registry.insert(entry("a", true));
        let b = registry.insert(entry("b", true));
        registry.insert(entry("c", false));
        registry.add_constraint(a.sequence, a.id, "b", Direction::After);
        registry.add_constraint(b.sequence, b.id, "a", Direction::After);
        assert_eq!(
            registry.warnings().len(),
            1,
            "seen by report() before the run"
        );
        assert_eq!(pending(&registry), ["c", "b", "a"]);
        let (ran, warnings) = drain(&mut registry);
        assert_eq!(ran, ["c", "b", "a"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].to_string().contains("\"b\", \"a\""),
            "{warnings:?}"
        );
        assert_eq!(registry.warnings(), warnings, "kept for report()");
    }

    #[test]
    fn a_name_never_registered_warns_once_one_that_left_does_not() {
        let mut registry = planned_entries();
        let gone = registry.insert(entry("gone", true));
        registry.insert(entry("removed", true));
        assert!(registry.remove_named("removed").is_some());
        let cache = registry.insert(entry("cache", true));
        // Ran before the plan, in a run that was not planned.
        let (sequence, _, _) = registry.pop_last().expect("cache");
        assert_eq!(sequence, cache.sequence);
        let cache = registry.insert(entry("cache", true));
        for (name, direction) in [
            ("gone", Direction::After),
            ("removed", Direction::Before),
            ("db-pol", Direction::After),
            ("later", Direction::After),
        ] {
            assert!(registry.add_constraint(cache.sequence, cache.id, name, direction));
        }
        let _ = gone;
        let other = registry.insert(entry("other", false));
        assert!(registry.add_constraint(other.sequence, other.id, "db-pol", Direction::Before));
        // "later" is registered before the run plans: known then.
        registry.insert(entry("later", true));
        let seen = registry.warnings();
        assert_eq!(seen.len(), 1, "report() sees it before the run: {seen:?}");
        let (_, warnings) = drain(&mut registry);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].to_string().contains("\"cache\"")
                && warnings[0].to_string().contains("after \"db-pol\""),
            "{warnings:?}"
        );
        assert_eq!(
            registry.warnings(),
            warnings,
            "kept for report(), not repeated"
        );
    }

    #[test]
    fn a_forked_child_sets_constraints_aside_and_adopts_them_back() {
        let mut registry = planned_entries();
        registry.insert(entry("db", true));
        let cache = registry.insert(entry("cache", true));
        registry.add_constraint(cache.sequence, cache.id, "db", Direction::After);
        assert_eq!(pending(&registry), ["db", "cache"]);
        registry.set_aside_for_fork_child();
        assert!(registry.unconstrained());
        registry.insert(entry("child", false));
        assert!(registry.adopt_inherited());
        assert!(!registry.unconstrained());
        assert_eq!(drain(&mut registry).0, ["child", "db", "cache"]);
    }

    #[test]
    fn clear_and_removal_forget_constraints() {
        let mut registry = planned_entries();
        registry.insert(entry("db", true));
        let cache = registry.insert(entry("cache", true));
        registry.add_constraint(cache.sequence, cache.id, "db", Direction::After);
        assert!(registry.remove_handle(cache.sequence, cache.id).is_some());
        assert!(registry.unconstrained());
        let cache = registry.insert(entry("cache", true));
        registry.add_constraint(cache.sequence, cache.id, "db", Direction::After);
        drop(registry.clear());
        assert!(registry.unconstrained());
        assert!(registry.order.given.is_empty());
    }
}
