//! A resource released exactly once: on `release()`, on drop, or when the
//! process ends, whichever comes first.

use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::{CleanupResult, Handle};

/// Holds a resource and the code that releases it, and runs that code
/// exactly once: on [`release`](ResourceGuard::release), when the guard is
/// dropped, or as a cleanup when the process ends (after `main` returns,
/// `std::process::exit`, SIGINT/SIGTERM/SIGHUP), whichever comes first.
///
/// The release closure takes the resource by value and returns `()` or
/// `Result<(), E>` with `E: Display`, like any cleanup. At exit, an `Err`
/// or a panic is reported like any cleanup's, under the name
/// `ResourceGuard: <resource type> [n]` with the `file:line` where the
/// guard was made. On drop it gets one line on stderr in the same form
/// (a panic is caught, so a guard dropped while unwinding cannot abort the
/// process). [`release`](ResourceGuard::release) hands the result to the
/// caller.
///
/// ```
/// use cleanup_runtime::ResourceGuard;
///
/// // Say a lease on a shared resource, given back however the process ends.
/// let lease = ResourceGuard::new(String::from("lease-42"), |lease| {
///     println!("returning {lease}");
///     Ok::<(), std::io::Error>(())
/// });
/// assert_eq!(lease.with(|l| l.len()), Some(8));
/// lease.release().expect("not released yet")?;
/// assert!(cleanup_runtime::run_now().entries().is_empty(), "released once");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ResourceGuard<T, R: CleanupResult = ()> {
    state: Arc<Mutex<Option<Pending<T, R>>>>,
    handle: Option<Handle>,
    source: &'static Location<'static>,
}

/// The resource and its release, until one of the three paths takes them.
struct Pending<T, R> {
    resource: T,
    release: Box<dyn FnOnce(T) -> R + Send>,
}

impl<T, R: CleanupResult> Pending<T, R> {
    fn run(self) -> R {
        (self.release)(self.resource)
    }
}

impl<T: Send + 'static, R: CleanupResult + 'static> ResourceGuard<T, R> {
    /// Guards `resource`, already acquired, to be released by `release`.
    ///
    /// ```
    /// let guard = cleanup_runtime::ResourceGuard::new(7, |n| println!("released {n}"));
    /// drop(guard); // prints "released 7"
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// ```
    #[track_caller]
    pub fn new<F>(resource: T, release: F) -> ResourceGuard<T, R>
    where
        F: FnOnce(T) -> R + Send + 'static,
    {
        let state = Arc::new(Mutex::new(Some(Pending {
            resource,
            release: Box::new(release),
        })));
        let for_exit = Arc::clone(&state);
        let name = crate::helpers::drop_at_exit::unique_name::<T>("ResourceGuard");
        let handle = crate::register_named(name, move || match take(&for_exit) {
            Some(pending) => pending.run().into_outcome(),
            None => Ok(()),
        });
        ResourceGuard {
            state,
            handle: Some(handle),
            source: Location::caller(),
        }
    }

    /// Acquires the resource now with `acquire` and guards it; if
    /// `acquire` fails, there is nothing to release and its error is
    /// returned.
    ///
    /// ```
    /// use cleanup_runtime::ResourceGuard;
    ///
    /// let dir = std::env::temp_dir().join(format!("guarded-{}", std::process::id()));
    /// let guard = ResourceGuard::acquire(
    ///     || std::fs::create_dir(&dir).map(|()| dir.clone()),
    ///     |dir| std::fs::remove_dir(dir),
    /// )?;
    /// let report = cleanup_runtime::run_now(); // as at exit
    /// assert_eq!(report.failures().count(), 0);
    /// assert!(!dir.exists());
    /// assert_eq!(guard.release().map(|r| r.is_ok()), None, "already released");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn acquire<E, A, F>(acquire: A, release: F) -> Result<ResourceGuard<T, R>, E>
    where
        A: FnOnce() -> Result<T, E>,
        F: FnOnce(T) -> R + Send + 'static,
    {
        Ok(ResourceGuard::new(acquire()?, release))
    }
}

impl<T, R: CleanupResult> ResourceGuard<T, R> {
    /// Calls `f` with the resource, or returns `None` if it was already
    /// released at exit (a signal or another thread's `exit` started the
    /// cleanups). While `f` runs, a release at exit waits for it.
    ///
    /// ```
    /// let guard = cleanup_runtime::ResourceGuard::new(vec![1], |_| {});
    /// guard.with(|v| v.push(2));
    /// assert_eq!(guard.with(|v| v.clone()), Some(vec![1, 2]));
    /// cleanup_runtime::run_now();
    /// assert_eq!(guard.with(|v| v.len()), None);
    /// ```
    pub fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> Option<U> {
        lock(&self.state).as_mut().map(|p| f(&mut p.resource))
    }

    /// Whether the resource was released (only at exit can that happen
    /// while the guard is still around).
    ///
    /// ```
    /// let guard = cleanup_runtime::ResourceGuard::new((), |()| {});
    /// assert!(!guard.is_released());
    /// cleanup_runtime::run_now();
    /// assert!(guard.is_released());
    /// ```
    pub fn is_released(&self) -> bool {
        lock(&self.state).is_none()
    }

    /// Releases the resource now, takes the exit cleanup back, and returns
    /// what the release returned — or `None` if the resource was already
    /// released at exit. A panic in the release reaches the caller.
    ///
    /// ```
    /// let guard = cleanup_runtime::ResourceGuard::new(1, |_| Err::<(), _>("busy"));
    /// assert_eq!(guard.release(), Some(Err("busy")));
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// ```
    pub fn release(mut self) -> Option<R> {
        self.unregister();
        take(&self.state).map(Pending::run)
    }

    fn unregister(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.unregister();
        }
    }
}

impl<T, R: CleanupResult> Drop for ResourceGuard<T, R> {
    fn drop(&mut self) {
        self.unregister();
        let Some(pending) = take(&self.state) else {
            return;
        };
        let failure = match panic::catch_unwind(AssertUnwindSafe(|| pending.run().into_outcome())) {
            Ok(Ok(())) => return,
            Ok(Err(error)) => format!("error: {error}"),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string payload".to_owned());
                // A payload whose own `Drop` panics must not escape.
                std::mem::forget(payload);
                format!("panic: {message}")
            }
        };
        crate::base::diagnostics::warn(format_args!(
            "release of the ResourceGuard made at {}:{} on drop: {failure}",
            self.source.file(),
            self.source.line()
        ));
    }
}

impl<T: std::fmt::Debug, R: CleanupResult> std::fmt::Debug for ResourceGuard<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("ResourceGuard")
            .field("resource", &state.as_ref().map(|p| &p.resource))
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

fn lock<T, R>(state: &Mutex<Option<Pending<T, R>>>) -> MutexGuard<'_, Option<Pending<T, R>>> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn take<T, R>(state: &Mutex<Option<Pending<T, R>>>) -> Option<Pending<T, R>> {
    lock(state).take()
}
