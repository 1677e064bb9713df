//! Logs at exit: the `log` logger flushed last, and logging guards kept
//! until the end.
//!
//! # Feature `log`: the global logger is flushed last
//!
//! With the cargo feature `log` (off by default), the global
//! [`log::logger()`](https://docs.rs/log/latest/log/fn.logger.html) is
//! flushed as the very last cleanup of every run, so the lines the other
//! cleanups log reach their destination even when the process ends by
//! `std::process::exit` or a signal.
//!
//! How it is last: it is a static cleanup, like an `#[at_exit]` function,
//! collected with the others before the first run-time registration. Its
//! declaration sorts before every other static (an empty module path), so
//! it gets sequence number 0; cleanups run highest number first, so it
//! runs after everything else — statics, run-time registrations, and
//! cleanups registered while the cleanups run. This is Python's choice
//! too: `logging` registers its `atexit` flush when it is first imported,
//! before anything else can, so that it runs after everything else.
//!
//! Its consequences: the entry appears in every report, named
//! [`LOG_FLUSH`] with sequence 0 (the other statics start at 1); it is
//! named, so `cleanup_runtime::unregister(LOG_FLUSH)` drops it and
//! `register_named(LOG_FLUSH, ...)` replaces it in its last place;
//! [`run_now`](crate::run_now) and [`clear`](crate::clear) treat it like
//! any other entry (a program that runs its cleanups early has its logger
//! flushed then). On its own it does not make the runtime handle signals:
//! it runs whenever the cleanups run.
//!
//! ```
//! use std::sync::atomic::{AtomicBool, Ordering};
//!
//! use cleanup_runtime::logging::LOG_FLUSH;
//!
//! static FLUSHED: AtomicBool = AtomicBool::new(false);
//!
//! // A logger that records its flush.
//! #[cfg(feature = "log")]
//! {
//!     struct Recorder;
//!     impl log::Log for Recorder {
//!         fn enabled(&self, _: &log::Metadata<'_>) -> bool { true }
//!         fn log(&self, _: &log::Record<'_>) {}
//!         fn flush(&self) { FLUSHED.store(true, Ordering::SeqCst) }
//!     }
//!     log::set_logger(&Recorder).expect("the first logger");
//! }
//!
//! cleanup_runtime::register(|| {
//!     assert!(!FLUSHED.load(Ordering::SeqCst), "not flushed before this cleanup");
//! });
//! let report = cleanup_runtime::run_now(); // as at exit
//! assert_eq!(report.failures().count(), 0);
//! let last = report.entries().last().expect("one entry at least");
//! if cfg!(feature = "log") {
//!     assert_eq!((last.name(), last.sequence()), (LOG_FLUSH, 0));
//!     assert!(FLUSHED.load(Ordering::SeqCst));
//! } else {
//!     assert_ne!(last.name(), LOG_FLUSH);
//! }
//! ```
//!
//! # Logging guards: `tracing-appender`
//!
//! A non-blocking writer (`tracing_appender::non_blocking`) sends lines to
//! a worker thread; its `WorkerGuard` drains the queue when dropped.
//! `std::process::exit` and signals drop nothing, so lines are lost —
//! unless the guard is kept with [`drop_at_exit`](crate::drop_at_exit).
//! Do it first thing in `main`: cleanups run last registered first, so
//! the guard is dropped after the cleanups registered later, and what
//! those log still goes through. With `tracing-appender` and
//! `tracing-subscriber` that is:
//!
//! ```ignore
//! let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
//! tracing_subscriber::fmt().with_writer(writer).init();
//! cleanup_runtime::drop_at_exit(guard);
//! ```
//!
//! (`ignore`d because this crate does not depend on them.) The same, run
//! here with a stand-in for the guard:
//!
//! ```
//! /// Stands in for `tracing_appender::non_blocking::WorkerGuard`.
//! struct WorkerGuard;
//!
//! impl Drop for WorkerGuard {
//!     fn drop(&mut self) {
//!         println!("queue drained");
//!     }
//! }
//!
//! fn main() {
//!     let guard = WorkerGuard;
//!     cleanup_runtime::drop_at_exit(guard);
//!     cleanup_runtime::register(|| println!("a cleanup logs a last line"));
//!     std::process::exit(0); // prints the line, then "queue drained"
//! }
//! ```

/// The report name of the feature `log` flush: `cleanup_runtime::log-flush`.
///
/// ```
/// // Opt out of the final flush for this run (a no-op without feature `log`).
/// cleanup_runtime::unregister(cleanup_runtime::logging::LOG_FLUSH);
/// assert!(cleanup_runtime::run_now().entries().is_empty());
/// ```
pub const LOG_FLUSH: &str = "cleanup_runtime::log-flush";

#[cfg(feature = "log")]
fn flush() -> crate::__private::Outcome {
    log::logger().flush();
    Ok(())
}

#[cfg(feature = "log")]
inventory::submit! {
    crate::__private::StaticCleanup {
        name: LOG_FLUSH,
        named: true,
        run: flush,
        // Sorts before every real module path: sequence 0, so it runs last.
        module_path: "",
        file: file!(),
        line: line!(),
        column: column!(),
        timeout: None,
        name_guard: None,
    }
}
