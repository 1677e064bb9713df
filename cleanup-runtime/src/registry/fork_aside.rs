//! `fork`: a child sets its parent's entries aside (they neither run nor
//! show as pending there) and may adopt them back
//! (`cleanup_runtime::adopt_after_fork`).

use std::sync::Arc;
use std::time::Duration;

use super::Slot;
use super::by_sequence::BySequence;
#[cfg(unix)]
use super::{Entries, Intake, Registry};
use crate::base::fixed_hash::FixedMap;
#[cfg(unix)]
use crate::base::pending;

/// A parent's entries as a forked child found them.
#[cfg_attr(not(unix), expect(dead_code, reason = "no fork, so never a child"))]
pub(crate) struct Inherited {
    slots: Vec<Slot>,
    names: FixedMap<Arc<str>, u64>,
    timeouts: BySequence<Duration>,
    live: usize,
    /// The parent had not collected its statics: they are collected only
    /// if the child adopts (see [`Entries::adopt_statics`]).
    statics_uncollected: bool,
}

#[cfg(unix)]
impl Registry {
    /// See [`Entries::set_aside_for_fork_child`]. A final run going on in
    /// the parent is not the child's either.
    #[cfg(unix)]
    pub(crate) fn set_aside_for_fork_child(&mut self) {
        self.entries.set_aside_for_fork_child();
        // Their threads stayed in the parent.
        self.manual_runs = 0;
        if let Some(run) = self.final_run.take() {
            std::mem::forget(run);
        }
    }

    /// See [`Entries::adopt_inherited`].
    #[cfg(unix)]
    pub(crate) fn adopt_inherited(&mut self) -> bool {
        self.entries.adopt_inherited()
    }
}

#[cfg(unix)]
impl Entries {
    /// In a forked child: sets the parent's entries aside, so they neither
    /// run nor show as pending here. Cheap and lock-free by design: it runs
    /// in the child right after `fork`, with the registry lock taken by the
    /// `fork` prepare handler.
    #[cfg(unix)]
    pub(crate) fn set_aside_for_fork_child(&mut self) {
        let statics_uncollected = self.intake == Intake::Uncollected;
        if statics_uncollected {
            self.reserve_for_statics();
        }
        // A final run going on (or over) in the parent is not the child's:
        // its own entries take the ordinary way.
        self.intake = Intake::Open;
        pending::set_statics_uncollected(false);
        let inherited = Inherited {
            slots: std::mem::take(&mut self.slots),
            names: std::mem::take(&mut self.names),
            timeouts: std::mem::take(&mut self.timeouts),
            live: self.live,
            statics_uncollected,
        };
        self.set_live(0);
        self.set_aside_ordering();
        // A child forked from a child: what its parent had set aside is
        // not its to adopt either.
        if let Some(older) = self.inherited.replace(inherited) {
            std::mem::forget(older);
        }
    }

    /// Takes the entries set aside at `fork` back: they run in this process
    /// now, before (in sequence terms) everything registered since.
    #[cfg(unix)]
    pub(crate) fn adopt_inherited(&mut self) -> bool {
        let Some(inherited) = self.inherited.take() else {
            return false;
        };
        if inherited.statics_uncollected {
            self.adopt_statics();
        }
        let mut slots = inherited.slots;
        slots.append(&mut self.slots);
        self.slots = slots;
        for (name, sequence) in inherited.names {
            self.names.entry(name).or_insert(sequence);
        }
        self.timeouts.merge(inherited.timeouts);
        self.set_live(self.live + inherited.live);
        self.recount_constrained();
        true
    }
}
