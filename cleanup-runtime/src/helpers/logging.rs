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
//! How it is last: it is not an entry of the registry but a step of the
//! run itself. When a run has emptied the registry — statics, run-time
//! registrations, and cleanups registered while the cleanups ran — it
//! flushes the logger, then writes the report. So it is after everything,
//! whatever the order of registration, and it adds nothing to the report
//! or to the sequence numbers. Both the run at exit (or after a signal)
//! and [`run_now`](crate::run_now) end with it. A panic in the logger's
//! `flush` is caught and reported on stderr in one line.
//!
//! ```
//! use std::sync::atomic::{AtomicBool, Ordering};
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
//! assert_eq!(report.entries().len(), 1, "the flush is not an entry");
//! assert_eq!(FLUSHED.load(Ordering::SeqCst), cfg!(feature = "log"));
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
//! ```text
//! let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
//! tracing_subscriber::fmt().with_writer(writer).init();
//! cleanup_runtime::drop_at_exit(guard);
//! ```
//!
//! (Shown as text: this crate does not depend on them.) The same, run
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
