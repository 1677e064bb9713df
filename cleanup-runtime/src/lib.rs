//! Run cleanups exactly once when the process ends, however it ends.
//!
//! Say once, anywhere in any crate of the program, "run this when the
//! process ends" — and it runs when `main` returns, when
//! `std::process::exit` is called from any thread, or when a panic unwinds
//! out of `main`: once, last registered first, each failure isolated and
//! reported. `Drop` guards cannot promise that (`process::exit` skips
//! them), `#[dtor]` gives no order and no error isolation, and
//! `libc::atexit` takes no closures and reports nothing.
//!
//! # Declare cleanups on functions
//!
//! ```
//! use cleanup_runtime::{at_exit, cleanup};
//!
//! #[at_exit] // named after its path: "rust_out::flush_metrics"
//! fn flush_metrics() {
//!     println!("metrics flushed");
//! }
//!
//! #[cleanup(name = "close-db")] // named: can be replaced or unregistered by name
//! fn close_db() -> Result<(), std::io::Error> {
//!     Ok(())
//! }
//!
//! fn main() {
//!     flush_metrics(); // still an ordinary function
//! } // both run here, close-db first (declared later)
//! ```
//!
//! The attributes go on free functions with no parameters, not `async`, not
//! generic, returning `()` or `Result<(), E>` with `E: Display`; anything
//! else is a compile error pointing at the offending token. They work in
//! library crates too: a library's cleanups run in every program that links
//! it, with no set-up call. Two `#[cleanup]`s with the same name fail to
//! compile (one crate) or to link (two crates: the linker names both).
//!
//! # Register at run time
//!
//! ```
//! let handle = cleanup_runtime::register(|| println!("bye"));
//! cleanup_runtime::register_named("flush-cache", || println!("cache flushed"));
//! cleanup_runtime::register_named("flush-cache", || println!("replaced, same place"));
//! assert!(cleanup_runtime::unregister("flush-cache"));
//! assert!(handle.unregister());
//!
//! cleanup_runtime::register(|| Err::<(), _>("disk full"));
//! let report = cleanup_runtime::run_now(); // run everything now, LIFO
//! assert_eq!(report.failures().count(), 1);
//! ```
//!
//! [`exit`] runs the cleanups and ends the process with a status; from
//! inside a cleanup it lets the remaining cleanups run first.
//!
//! # Order
//!
//! One sequence per process, run highest number first (LIFO). Static
//! cleanups count as registered before `main`, numbered by module path, then
//! file, line and column — so within one module, in source order, and the
//! same from build to build (`inventory`'s own order is not). Run-time
//! registrations get the next numbers. A named replacement keeps the number
//! of the entry it replaces. A cleanup registered while cleanups run gets
//! the next number, so it runs next.
//!
//! # When cleanups run
//!
//! | the process ends by | cleanups | exit status |
//! |---|---|---|
//! | `main` returning | run | `main`'s |
//! | `std::process::exit(n)`, any thread | run | `n` |
//! | [`exit(n)`](exit), any thread | run | `n` |
//! | a panic unwinding out of `main` | run | 101 |
//! | several threads calling `exit` at once | run once | the first caller's |
//! | `SIGKILL`, `abort()`, `_exit`, power loss | **never** | — |
//!
//! Signals (`SIGINT`, `SIGTERM`, `SIGHUP`) and `panic = "abort"` builds are
//! not covered yet: the default action ends the process without cleanups.
//!
//! # Faults
//!
//! - A cleanup that panics or returns `Err`: the message goes to stderr and
//!   into the report, the others run, the exit status is unchanged.
//! - A cleanup that calls [`exit(code)`](exit): the remaining cleanups still
//!   run, then the process ends with `code`.
//! - A cleanup that calls `std::process::exit` during the run at exit: no
//!   hang and no abort, nothing runs twice, the remaining cleanups still
//!   run, and the process ends with the status it was already ending with —
//!   std drops the nested call's code before anyone can see it. Use
//!   [`exit`] inside a cleanup to change the status.
//! - A cleanup that calls `libc::exit(code)` directly: as with [`exit`].
//! - A cleanup registered while cleanups run: runs before the process ends.
//! - Several threads ending the process at once: each cleanup runs once,
//!   and the process does not end until the run is done.
//!
//! # The report
//!
//! Every run produces a [`Report`]: each cleanup's name, sequence number,
//! source `file:line`, [`Status`], error text and duration, in run order.
//! [`run_now`] returns it; [`report`] shows what ran and what is pending. At
//! exit, the `CLEANUP_REPORT` environment variable chooses where it goes:
//!
//! | value | effect |
//! |---|---|
//! | unset | only failures, one line each, on stderr |
//! | `off` | nothing |
//! | `text` / `json` | the whole report on stderr |
//! | `text:PATH` / `json:PATH` | the whole report in PATH, written whole or not at all |
//!
//! A value not in the table gets one line on stderr and the default. Writing
//! the report never panics, even with stderr closed or the disk full.
//!
//! The JSON form is one object: `{"trigger": "exit"|"signal"|"panic"|"manual",
//! "status": int|null, "signal": int|null, "entries": [{"name", "sequence",
//! "source", "status": "ok"|"error"|"panic"|"timeout"|"skipped", "error",
//! "duration_ns"}], "pending": [{"name", "sequence", "source"}]}`.
//! `trigger` is `"panic"` for a panic out of `main` when the runtime saw it
//! (its panic hook is installed at the first use of the API; a program that
//! only declares static cleanups, or replaces the panic hook afterwards,
//! reports `"exit"` with status 101).
//!
//! # Hazards
//!
//! - Cleanups run inside the C library's `exit`: other threads are still
//!   running, the main thread's thread-locals are gone, stdout is
//!   unbuffered. Keep cleanups short; do not join threads that may call
//!   `exit` themselves (std parks every thread but the first one to call
//!   `exit`, forever).
//! - The exit hook is registered by a constructor before `main`, so exit
//!   handlers that other code registers later with `atexit` run before our
//!   cleanups.
//! - Linux with glibc is the tested platform; elsewhere the exit status is
//!   not known to the report (`"status": null`).

mod deadline;
mod destination;
mod diagnostics;
mod exit_hook;
mod final_run;
mod fork;
mod outcome;
mod panic_watch;
mod registration;
mod registry;
mod report;
mod runner;
mod signals;
mod thread_token;
mod watchdog;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use cleanup_macros::{at_exit, cleanup};
pub use outcome::CleanupResult;
pub use registration::{Handle, clear, register, register_named, unregister};
pub use report::{EntryReport, PendingEntry, Report, Status, Trigger};

/// Runs every pending cleanup now, last registered first, and returns what
/// happened. Each one runs once and is removed; cleanups registered
/// afterwards run at exit as usual.
///
/// ```
/// cleanup_runtime::register(|| println!("flushed"));
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.trigger(), cleanup_runtime::Trigger::Manual);
/// assert_eq!(report.entries().len(), 1);
/// assert!(cleanup_runtime::run_now().entries().is_empty(), "nothing runs twice");
/// ```
pub fn run_now() -> Report {
    panic_watch::install_once();
    runner::run_now()
}

/// What ran so far in this process (through [`run_now`], or at exit when
/// asked from a cleanup) and what is still pending, in the order it would
/// run.
///
/// ```
/// cleanup_runtime::register_named("close-db", || {});
/// let report = cleanup_runtime::report();
/// assert_eq!(report.pending()[0].name(), "close-db");
/// assert!(report.entries().is_empty());
/// # cleanup_runtime::clear();
/// ```
pub fn report() -> Report {
    panic_watch::install_once();
    runner::snapshot()
}

/// Bounds the whole run of cleanups at exit to `deadline` (`None`: no
/// bound, the default).
///
/// When the deadline passes, the report is still written — the cleanup
/// that was running is marked `timeout`, those not started `skipped` — and
/// the process ends at once (`_exit`) with the status it was ending with.
/// The `CLEANUP_DEADLINE` environment variable (`300ms`, `5s`, `1m 30s`,
/// or `off`), when set, overrides this, so an operator can tighten or lift
/// the bound without a rebuild; a malformed value gets one line on stderr
/// and is ignored.
///
/// ```
/// use std::time::Duration;
///
/// // systemd's default stop timeout is 90 s: leave room for the report.
/// cleanup_runtime::set_deadline(Some(Duration::from_secs(80)));
/// ```
pub fn set_deadline(deadline: Option<std::time::Duration>) {
    deadline::set(deadline);
}

/// Stops handling SIGINT, SIGTERM and SIGHUP for the rest of the process:
/// where our handler is installed, the default action is restored, and it
/// is never installed again. The cleanups then run only when the program
/// ends the process itself.
///
/// For a program that wants the signals for itself from the start, prefer
/// installing its own handler (ours stands aside for any signal the program
/// handles) or `CLEANUP_SIGNALS=off`.
///
/// ```
/// cleanup_runtime::leave_signals_alone();
/// ```
pub fn leave_signals_alone() {
    signals::leave_alone();
}

/// In a forked child, takes over the cleanups its parent had registered
/// (the statics included), so they run when this process ends — for a
/// daemon that forks, lets the parent exit, and goes on in the child.
/// Returns whether there was anything to take over.
///
/// Without this call a forked child never runs its parent's cleanups: they
/// belong to the process that registered them, and a child that exits must
/// not remove its parent's pid file or temp dirs. Cleanups the child
/// registers itself run in the child as usual. The parent should then
/// leave without running its own copy, for example with `libc::_exit`.
///
/// ```no_run
/// // SAFETY (of the example): fork in a single-threaded program.
/// match unsafe { libc::fork() } {
///     0 => {
///         cleanup_runtime::adopt_after_fork();
///         // ... the daemon's life; its cleanups run when it ends
///     }
///     _ => unsafe { libc::_exit(0) }, // the parent leaves, running nothing
/// }
/// ```
pub fn adopt_after_fork() -> bool {
    fork::adopt()
}

/// Runs the cleanups, then ends the process with `code`.
///
/// From any thread this is `std::process::exit(code)`, whose exit handler
/// runs the cleanups. From inside a cleanup that runs at exit, the
/// remaining cleanups run first and then the process ends with `code`.
///
/// ```no_run
/// cleanup_runtime::register(|| println!("runs before the process ends"));
/// cleanup_runtime::exit(3);
/// ```
pub fn exit(code: i32) -> ! {
    if final_run::is_runner() {
        final_run::continue_after_exit_call(Some(code));
        final_run::end_process(code);
    }
    std::process::exit(code)
}
