//! The planning half of ordering constraints, linked into a program only
//! when something in it can constrain a cleanup.
//!
//! Planning (the planner, the lookup of unknown names, the warnings) is
//! about 35 KB of machine code, a fifth of what the runtime adds to a
//! program, and most programs declare no constraint. So nothing that every
//! program links calls it by name: the run, `report()` and the pending
//! list reach it through [`PLANNING`], which only [`link_planning`] fills.
//! That function is named by the code that can make a constraint, and
//! only by it: [`Cleanup::after`](crate::Cleanup::after) and
//! [`Cleanup::before`](crate::Cleanup::before), and the descriptor of a
//! static cleanup declared with `after` or `before` (the macros put it
//! there, and collecting the statics calls it). A program that never names
//! either links none of it, as the linker drops what nothing refers to.
//!
//! Every way an entry becomes constrained passes one of those first, so
//! while any entry is constrained the table is filled.

use std::sync::OnceLock;

use super::Entries;
use crate::report::{PendingEntry, Warning};

/// The planning steps the rest of the registry reaches by pointer.
pub(super) struct Planning {
    /// [`Entries::put_planned_last`].
    pub(super) put_planned_last: fn(&mut Entries),
    /// [`Entries::pending_planned`].
    pub(super) pending_planned: fn(&Entries) -> Vec<PendingEntry>,
    /// [`Entries::pending_warnings`].
    pub(super) pending_warnings: fn(&Entries) -> Vec<Warning>,
}

/// Filled by [`link_planning`]; empty in a program that cannot constrain.
static PLANNING: OnceLock<Planning> = OnceLock::new();

/// Links the planning code and makes it reachable. Called before anything
/// can become constrained; cheap after the first call (one load).
pub fn link_planning() {
    PLANNING.get_or_init(|| Planning {
        put_planned_last: Entries::put_planned_last,
        pending_planned: Entries::pending_planned,
        pending_warnings: Entries::pending_warnings,
    });
}

/// The planning steps, if [`link_planning`] has run.
pub(super) fn planning() -> Option<&'static Planning> {
    PLANNING.get()
}

#[cfg(test)]
mod tests {
    /// The rule of this module, read from the sources: no code that every
    /// program links calls a planning step by name, and only the code that
    /// can constrain an entry names [`super::link_planning`]. (Whether the
    /// linker then drops the planning is measured, not tested: the size of
    /// a program without constraints, in CHANGELOG.md's build cost.)
    #[test]
    fn only_what_can_constrain_reaches_the_planning_by_name() {
        // Called as methods anywhere, these would link the planning into
        // every program.
        const NEVER_CALLED: [&str; 3] = [
            ".put_planned_last(",
            ".pending_planned(",
            ".pending_warnings(",
        ];
        // Names allowed only in the files given (`statics.rs` calls the
        // one a constrained static's descriptor holds).
        const NAMED_ONLY_IN: [(&str, &[&str]); 2] = [
            (
                "link_planning",
                &["planning.rs", "builder.rs", "private.rs", "statics.rs"],
            ),
            ("planner::plan(", &["constraints.rs"]),
        ];
        let mut offenders = Vec::new();
        for (file, lines) in crate::base::sources::code_lines() {
            for line in lines {
                let never = NEVER_CALLED.iter().any(|call| line.contains(call));
                let elsewhere = NAMED_ONLY_IN
                    .iter()
                    .any(|(name, files)| line.contains(name) && !files.contains(&file.as_str()));
                if never || elsewhere {
                    offenders.push(format!("{file}: {}", line.trim()));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "the planning is reached through registry/planning.rs only: {offenders:#?}"
        );
    }
}
