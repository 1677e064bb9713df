//! What becomes of a registration once the final run has begun.
//!
//! The final run takes the entry with the highest sequence number until
//! none is left, so a registration it does not see coming could either
//! hold it forever (threads that never stop registering: the run would
//! always have a newer entry to take) or be lost (one that arrives after
//! the run took its last entry). The rules, by who registers and when:
//!
//! | who registers | while the final run goes on | after it took its last entry |
//! |---|---|---|
//! | the run itself (a cleanup, or the thread a timed cleanup runs on) | added; runs in this run, next | runs at once, on that thread, with a line on stderr |
//! | any other thread | added; runs in this run, next — and that thread is parked for good, as std parks a second caller of `exit` | the same: at once, on that thread, with a line |
//! | anyone, once the deadline passed | not added: a line on stderr, and the thread is parked while the watchdog ends the process | the same |
//!
//! Parking bounds the run: each other thread adds at most the one entry it
//! was registering, so the run always ends, and whatever that thread had
//! just acquired (a temp dir, a `ResourceGuard`'s resource, a value for
//! `drop_at_exit`) is still released by the run. "After the last entry"
//! is where an `atexit` handler installed before ours runs (after the run,
//! inside the same `exit`), and where a thread racing the end arrives:
//! nothing would run an entry added there, so the registering thread runs
//! it itself. It is not parked: it may be the very thread that is ending
//! the process.
//!
//! All of it is off the ordinary path: `register` tests the one byte it
//! tested before (whether the statics were collected) and comes here only
//! when it says anything but "open".

use std::panic::{self, AssertUnwindSafe};
use std::sync::MutexGuard;

use crate::base::entry::Entry;
use crate::base::{diagnostics, park};
use crate::registry::builder::Options;
use crate::registry::{Inserted, Intake, Registry, UNNAMED};

/// Adds `entry` to a registry that is not simply open (its statics not
/// collected yet, or the final run begun or over), following the rules
/// above. Returns what [`Entries::insert`](crate::registry::Entries::insert)
/// would; it does not return at all when the calling thread is parked.
#[cold]
#[inline(never)]
pub(crate) fn add(registry: MutexGuard<'static, Registry>, entry: Entry) -> Inserted {
    add_with(registry, entry, &Options::default())
}

/// [`add`] for an entry with options ([`crate::Cleanup`]): they are given
/// under the lock that adds it, before a parked thread lets go of it, so
/// the run never takes the entry without them. One that runs at once
/// (after the run) runs without its timeout: it is the registering
/// thread's own call by then.
#[cold]
#[inline(never)]
pub(crate) fn add_with(
    mut registry: MutexGuard<'static, Registry>,
    entry: Entry,
    options: &Options,
) -> Inserted {
    registry.entries.collect_statics_if_needed();
    if crate::base::ending::gave_up() {
        drop(registry);
        warn(
            &entry,
            "was registered after the deadline passed: it does not run",
        );
        park::forever();
    }
    match registry.entries.intake() {
        Intake::Uncollected | Intake::Open => insert(&mut registry, entry, options),
        Intake::FinalRun if crate::base::ending::is_final_runner() => {
            insert(&mut registry, entry, options)
        }
        Intake::FinalRun => {
            let inserted = insert(&mut registry, entry, options);
            drop(registry);
            drop(inserted.replaced);
            park::forever();
        }
        Intake::Sealed => {
            let sequence = registry.entries.take_sequence();
            drop(registry);
            run_at_once(entry);
            Inserted {
                sequence,
                id: UNNAMED,
                replaced: None,
            }
        }
    }
}

/// Inserts `entry` and gives it its options, under the caller's lock.
fn insert(registry: &mut Registry, entry: Entry, options: &Options) -> Inserted {
    let inserted = registry.entries.insert(entry);
    registry
        .entries
        .apply(inserted.sequence, inserted.id, options);
    inserted
}

/// Runs a cleanup registered after the final run took its last entry, on
/// the registering thread, catching a panic; one line on stderr says so,
/// and one more if it fails.
fn run_at_once(entry: Entry) {
    warn(
        &entry,
        "was registered after the cleanups at exit had run: it runs now, on the thread that registered it",
    );
    let (action, origin) = entry.into_parts();
    let failure = match panic::catch_unwind(AssertUnwindSafe(|| action.call())) {
        Ok(Ok(())) => return,
        Ok(Err(error)) => format!("error: {error}"),
        Err(payload) => {
            let message = match (
                payload.downcast_ref::<&str>(),
                payload.downcast_ref::<String>(),
            ) {
                (Some(text), _) => (*text).to_owned(),
                (_, Some(text)) => text.clone(),
                _ => "panic with a non-string payload".to_owned(),
            };
            // Leaked, not dropped: a payload whose `Drop` panics would
            // escape here (as in the run loop).
            std::mem::forget(payload);
            format!("panic: {message}")
        }
    };
    diagnostics::warn(format_args!(
        "{:?} ({}) {failure}",
        origin.name(),
        origin.source()
    ));
}

/// One line on stderr about `entry`. With `write(2)`, not std's stderr: the
/// lock of that may be held for good by a thread the process left behind.
fn warn(entry: &Entry, what: &str) {
    diagnostics::warn(format_args!(
        "{:?} ({}) {what}",
        entry.origin.name(),
        entry.origin.source()
    ));
}
