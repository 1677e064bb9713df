//! `register_async` (feature `tokio`): an async cleanup is an ordinary
//! entry whose closure hands its future to [`async_driver`](super::async_driver)
//! and waits for the outcome, so it takes its place in the one sequence and
//! gets timeouts, the deadline and every exit path as any cleanup does.

use std::future::Future;
use std::panic::Location;

use super::async_driver;
use crate::outcome::CleanupResult;
use crate::registry::builder::Cleanup;
use crate::registry::registration::{Handle, register_boxed};

/// Registers an async cleanup: `future` runs to completion when the
/// process ends (or at [`run_now`](crate::run_now)), in its place in the
/// sequence like a cleanup given to [`register`](crate::register).
/// Feature `tokio`.
///
/// It is driven on a current-thread tokio runtime with all drivers enabled
/// (IO, time) that the crate starts on a thread of its own the first time
/// an async cleanup runs, never on the program's runtime, which may be
/// gone (`main` returned from `#[tokio::main]`) or be the very thread that
/// ends the process (`std::process::exit` inside a task). So it may open
/// its own connections, sleep, and time out; it may not use resources
/// bound to the program's runtime (see [the crate docs](crate#async-cleanups)).
///
/// The future may return `()` or `Result<(), E: Display>`; an `Err` or a
/// panic is reported and the rest still run. A timeout
/// ([`Handle::set_timeout`]) or the deadline leaves the future where it
/// runs and goes on: later async cleanups run on a fresh runtime thread,
/// so one that blocks its thread or never yields holds back none of them.
///
/// ```
/// use std::time::Duration;
///
/// cleanup_runtime::register_async(async {
///     tokio::time::sleep(Duration::from_millis(1)).await;
///     println!("flushed");
/// });
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.entries()[0].status(), cleanup_runtime::EntryStatus::Ok);
/// ```
///
/// Works from inside the program's runtime too, which it never blocks on:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// cleanup_runtime::register_async(async { Err::<(), _>("broker unreachable") });
/// let report = cleanup_runtime::run_now();
/// assert_eq!(report.entries()[0].error(), Some("broker unreachable"));
/// # }
/// ```
#[track_caller]
pub fn register_async<F, R>(future: F) -> Handle
where
    F: Future<Output = R> + Send + 'static,
    R: CleanupResult,
{
    let type_name = std::any::type_name::<F>();
    register_boxed(
        Box::new(move || {
            async_driver::drive(Box::pin(async move {
                crate::outcome::into_outcome(future.await)
            }))
        }),
        Location::caller(),
        type_name,
    )
}

impl Cleanup {
    /// An async cleanup with options, not registered yet: `future` runs as
    /// with [`register_async`], and the options are given to it with the
    /// registration, in one step ([`Cleanup::register`]). Feature `tokio`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cleanup_runtime::Cleanup;
    ///
    /// Cleanup::new_async(async { println!("broker told") })
    ///     .name("broker")
    ///     .timeout(Duration::from_secs(5))
    ///     .register();
    /// let report = cleanup_runtime::run_now();
    /// assert_eq!(report.entries()[0].name(), "broker");
    /// ```
    #[track_caller]
    pub fn new_async<F, R>(future: F) -> Cleanup
    where
        F: Future<Output = R> + Send + 'static,
        R: CleanupResult,
    {
        Cleanup::boxed(
            Box::new(move || {
                async_driver::drive(Box::pin(async move {
                    crate::outcome::into_outcome(future.await)
                }))
            }),
            std::any::type_name::<F>(),
            Location::caller(),
        )
    }
}
