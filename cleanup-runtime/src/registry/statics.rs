//! Collecting the static cleanups (`#[at_exit]`, `#[cleanup]`) from
//! `inventory` at the first lock of the registry, numbering them —
//! libraries' first, then the program's own (so the program's run first,
//! the reverse of set-up), then by module path, file, line and column —
//! and, in a forked child, keeping their numbers free until it adopts.

use crate::base::descriptor::StaticCleanup;
use crate::base::{diagnostics, pending};

use super::{Entries, Entry, Intake};

impl Entries {
    /// In a forked child whose parent had not collected its statics (so had
    /// no entries at all: every registration collects them first): keeps
    /// the lowest sequence numbers free for them, as they count as
    /// registered before `main`, in case the child adopts. Counting walks
    /// inventory's list and allocates nothing, as the child handler must.
    #[cfg(unix)]
    pub(super) fn reserve_for_statics(&mut self) {
        let declared = inventory::iter::<StaticCleanup>.into_iter().count();
        self.next_sequence += declared as u64;
    }

    /// Adopting in that case: the statics are collected now, under the
    /// numbers kept for them, before everything the child registered since.
    #[cfg(unix)]
    pub(super) fn adopt_statics(&mut self) {
        let mut statics = Entries::new();
        statics.collect_statics();
        statics.slots.append(&mut self.slots);
        self.slots = statics.slots;
        for (name, sequence) in statics.names {
            self.names.entry(name).or_insert(sequence);
        }
        self.set_live(self.live + statics.live);
    }

    // Out of line: it runs once, and the benchmarks measure it by name.
    #[cold]
    #[inline(never)]
    pub(super) fn collect_statics(&mut self) {
        crate::base::clock::mark_origin();
        self.intake = Intake::Open;
        pending::set_statics_uncollected(false);
        let mut statics: Vec<&'static StaticCleanup> =
            inventory::iter::<StaticCleanup>.into_iter().collect();
        // inventory's order is not source order and changes from build to
        // build (dev, release, LTO and `panic = "abort"` each gave another
        // order for the same submissions): sort
        // by where each cleanup was written instead.
        statics.sort_unstable_by(|a, b| {
            crate_first(a, b)
                .then_with(|| same_str_first(a.file, b.file))
                .then_with(|| (a.line, a.column, a.name).cmp(&(b.line, b.column, b.name)))
        });
        self.slots.reserve(statics.len());
        for declared in statics {
            if let Some(link_planning) = declared.ordering {
                link_planning();
            }
            if declared.named {
                self.warn_if_duplicate(declared);
            }
            self.insert(Entry::declared(declared));
        }
    }

    /// The macro makes a duplicate name a link error; this catches what the
    /// linker cannot see (for example a linker that tolerates duplicate
    /// symbols).
    fn warn_if_duplicate(&self, declared: &StaticCleanup) {
        let earlier = self.names.get(declared.name).and_then(|&s| self.get(s));
        if let Some(Entry {
            origin: earlier, ..
        }) = earlier
        {
            diagnostics::warn(format_args!(
                "two cleanups are named {:?}: {} and {}:{}; the later one replaces the earlier",
                declared.name,
                earlier.source(),
                declared.file,
                declared.line
            ));
        }
    }
}

/// The first two keys of the static order: libraries' statics before the
/// program's (see [`StaticCleanup::in_program`]), then by module path.
///
/// Statics of one module share one `module_path!()` string, and so one
/// crate: the common case is answered by the pointer test alone, and the
/// crate's side is compared only where the module paths differ (the sort
/// of 10,000 statics costs what it did with module paths alone,
/// BENCHMARKS.md).
fn crate_first(a: &StaticCleanup, b: &StaticCleanup) -> std::cmp::Ordering {
    if std::ptr::eq(a.module_path, b.module_path) {
        std::cmp::Ordering::Equal
    } else {
        a.in_program
            .cmp(&b.in_program)
            .then_with(|| a.module_path.cmp(b.module_path))
    }
}

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
