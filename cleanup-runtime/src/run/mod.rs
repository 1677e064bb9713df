//! Running cleanups: the loop that takes entries from the registry one at
//! a time, catches each one's panic, bounds a timed one on a helper thread,
//! records outcomes, and keeps the history of manual runs (`Handle::run`,
//! one registration run on its own, is the same step for one entry); plus the
//! whole-run deadline setting and the logger flush that ends every run.
//! With feature `tokio`: `register_async` and the runtime that drives async
//! cleanups (`async_registration`, `async_driver`). With feature `tracing`:
//! each cleanup's outcome as an event (`events`).
//!
//! May use: `base/` (whether the calling thread is the final run's runner:
//! `base::ending`), `report/`, `registry/`.
//! Used by: `process/` (the final run drives this loop), `lib.rs`
//! (`run_now`, `report`).
//! Architecture invariant: never ends the process and never takes the
//! registry lock across a cleanup's call.

#[cfg(feature = "tokio")]
pub(crate) mod async_driver;
#[cfg(feature = "tokio")]
pub(crate) mod async_registration;
pub(crate) mod deadline;
#[cfg(feature = "tracing")]
pub(crate) mod events;
mod handle_run;
pub(crate) mod log_flush;
pub(crate) mod runner;
pub(crate) mod timed_helper;
