//! Helpers shared by the fixture binaries in `src/bin/`.
//!
//! A fixture tells the test what happened as lines of text: `ran NAME` when
//! a cleanup runs, `registered NAME SEQUENCE FILE:LINE` when one is
//! registered, and a few scenario-specific markers. The lines go to stdout,
//! or — when a test makes stdout unusable on purpose (a pipe with no reader)
//! — are appended to the file named by [`LOG_VAR`].
//!
//! This library declares no cleanups of its own, so linking it changes
//! nothing about what runs at exit.

use std::fmt::Display;
use std::fs::OpenOptions;
use std::io::Write;
use std::panic::Location;

use cleanup_runtime::{CleanupResult, Handle};

/// The environment variable naming a file that receives the fixture's
/// lines instead of stdout.
pub const LOG_VAR: &str = "FIXTURE_LOG";

/// Writes one line to the fixture's log: the file named by [`LOG_VAR`] if
/// set (appended in a single write, so lines from several threads never
/// interleave), stdout otherwise.
///
/// On stdout this behaves like `println!`: it panics if stdout is a pipe
/// whose reader is gone. Inside a cleanup that panic is reported as the
/// cleanup's failure, which is what the closed-stdout tests look at.
pub fn say(line: impl Display) {
    let line = format!("{line}\n");
    match std::env::var_os(LOG_VAR) {
        Some(path) => {
            let mut file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap_or_else(|error| panic!("cannot open {path:?}: {error}"));
            file.write_all(line.as_bytes())
                .unwrap_or_else(|error| panic!("cannot write to {path:?}: {error}"));
        }
        None => print!("{line}"),
    }
}

/// Says `ran NAME`: the line every fixture cleanup writes when it runs.
pub fn ran(name: &str) {
    say(format_args!("ran {name}"));
}

/// Registers a cleanup that says `ran NAME`, and says
/// `registered NAME SEQUENCE FILE:LINE` with the caller's location (which
/// is also what the runtime records, both being `#[track_caller]`).
#[track_caller]
pub fn register_ran(name: &'static str) -> Handle {
    let handle = cleanup_runtime::register(move || ran(name));
    registered(name, &handle);
    handle
}

/// Like [`register_ran`], but registered under `name` with
/// `register_named`, and after saying `ran NAME` the cleanup returns what
/// `then` returns.
#[track_caller]
pub fn register_named_then<F, R>(name: &'static str, then: F) -> Handle
where
    F: FnOnce() -> R + Send + 'static,
    R: CleanupResult,
{
    let handle = cleanup_runtime::register_named(name, move || {
        ran(name);
        then()
    });
    registered(name, &handle);
    handle
}

/// Says `registered NAME SEQUENCE FILE:LINE` for the caller's location.
#[track_caller]
fn registered(name: &str, handle: &Handle) {
    let caller = Location::caller();
    say(format_args!(
        "registered {name} {} {}:{}",
        handle.sequence(),
        caller.file(),
        caller.line()
    ));
}
