//! A resource released exactly once: on `release()`, on drop, or when the
//! process ends, whichever comes first (built on `release_once`).

use std::panic::{self, AssertUnwindSafe, Location};

use crate::CleanupResult;
use crate::helpers::release_once::{NotAcquired, Registered};

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
/// **Whichever comes first, and the exit waits for a release under way.**
/// The release runs outside any lock, and the guard's exit cleanup is taken
/// back only once it has finished: a `release()` or drop on another thread
/// that has begun when the process ends is waited for by the run at exit
/// (bounded by its deadline, [`set_deadline`](crate::set_deadline)), never
/// cut off or run a second time. A release that never finishes (one that
/// waits for the exiting thread, or registers a cleanup from another thread
/// while the process ends, which parks that thread) holds the exit until
/// the deadline. The run at exit never waits for its own thread (a release
/// that calls `exit` itself). `release()` and drop never wait: finding the
/// exit's release under way, they return at once.
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
#[must_use = "dropping a ResourceGuard releases the resource at once; keep it in a variable for as long as the resource is in use"]
pub struct ResourceGuard<T, R: CleanupResult = ()> {
    registered: Registered<Pending<T, R>>,
    source: &'static Location<'static>,
}

/// The resource and its release, until one of the three paths takes them.
struct Pending<T, R> {
    resource: T,
    release: Box<dyn FnOnce(T) -> R + Send>,
}

impl<T, R: CleanupResult> Pending<T, R> {
    fn new<F: FnOnce(T) -> R + Send + 'static>(resource: T, release: F) -> Pending<T, R> {
        Pending {
            resource,
            release: Box::new(release),
        }
    }

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
        let name = crate::helpers::drop_at_exit::unique_name::<T>("ResourceGuard");
        ResourceGuard {
            registered: Registered::held(name, Pending::new(resource, release), Pending::run),
            source: Location::caller(),
        }
    }

    /// The exit cleanup, registered with nothing acquired yet.
    #[track_caller]
    fn registered() -> ResourceGuard<T, R> {
        let name = crate::helpers::drop_at_exit::unique_name::<T>("ResourceGuard");
        ResourceGuard {
            registered: Registered::new(name, Pending::run),
            source: Location::caller(),
        }
    }

    /// Acquires the resource now with `acquire` and guards it; if
    /// `acquire` fails, there is nothing to release and its error is
    /// returned.
    ///
    /// The exit cleanup is registered *before* `acquire` runs: a signal
    /// that arrives while it runs waits for it and then releases what it
    /// acquired. (If the process already began ending, `acquire` is not
    /// called and this waits for the end, as any registration from
    /// another thread does then.)
    ///
    /// # Errors
    ///
    /// `acquire`'s own error, unchanged: nothing was acquired, so nothing
    /// is released, and the exit cleanup is taken back.
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
        let mut guard = ResourceGuard::registered();
        let acquired = guard
            .registered
            .slot()
            .acquire(|| acquire().map(|resource| Pending::new(resource, release)));
        match acquired {
            Ok(()) | Err(NotAcquired::Ending) => Ok(guard),
            Err(NotAcquired::Failed(error)) => {
                guard.registered.unregister();
                Err(error)
            }
        }
    }
}

impl<T, R: CleanupResult> ResourceGuard<T, R> {
    /// Calls `f` with the resource, or returns `None` if it was already
    /// released at exit, or is being released (a signal or another
    /// thread's `exit` started the cleanups). Calls on several threads
    /// take turns; a `with` inside `f` gets `None`. While `f` runs, a
    /// release at exit waits for it; no lock is held meanwhile, so `f` may
    /// even end the process.
    ///
    /// ```
    /// let guard = cleanup_runtime::ResourceGuard::new(vec![1], |_| {});
    /// guard.with(|v| v.push(2));
    /// assert_eq!(guard.with(|v| v.clone()), Some(vec![1, 2]));
    /// cleanup_runtime::run_now();
    /// assert_eq!(guard.with(|v| v.len()), None);
    /// ```
    #[must_use = "`None` means the resource was already released, and what the closure returned (an `io::Result`?) is inside"]
    pub fn with<U>(&self, f: impl FnOnce(&mut T) -> U) -> Option<U> {
        self.registered.slot().with(|p| f(&mut p.resource))
    }

    /// Whether the resource was released: the release has finished (only
    /// at exit can that happen while the guard is still around). `false`
    /// while the run at exit is still releasing it.
    ///
    /// ```
    /// let guard = cleanup_runtime::ResourceGuard::new((), |()| {});
    /// assert!(!guard.is_released());
    /// cleanup_runtime::run_now();
    /// assert!(guard.is_released());
    /// ```
    #[must_use]
    pub fn is_released(&self) -> bool {
        self.registered.slot().is_done()
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
    #[must_use = "`None` means it was already released, and the release's own result (an `io::Result`?) is inside"]
    pub fn release(mut self) -> Option<R> {
        self.registered.release(Pending::run)
    }
}

impl<T, R: CleanupResult> ResourceGuard<T, R> {
    /// Takes the resource back without releasing it, and takes the exit
    /// cleanup back: the release function is dropped unrun. `None` if the
    /// resource was already released at exit. An associated function, as
    /// scopeguard's `ScopeGuard::into_inner`, so it never shadows a method
    /// of the resource.
    ///
    /// ```
    /// use cleanup_runtime::ResourceGuard;
    ///
    /// let guard = ResourceGuard::new(String::from("lease"), |lease| println!("returned {lease}"));
    /// let lease = ResourceGuard::into_inner(guard); // nothing printed
    /// assert_eq!(lease.as_deref(), Some("lease"));
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// ```
    #[must_use = "the resource is handed back unreleased: use it or release it yourself"]
    pub fn into_inner(mut guard: ResourceGuard<T, R>) -> Option<T> {
        guard.registered.release(|pending| pending.resource)
    }
}

impl<T, R: CleanupResult> Drop for ResourceGuard<T, R> {
    fn drop(&mut self) {
        let released = self.registered.release(|pending| {
            panic::catch_unwind(AssertUnwindSafe(|| {
                crate::outcome::into_outcome(pending.run())
            }))
        });
        let failure = match released {
            None | Some(Ok(Ok(()))) => return,
            Some(Ok(Err(error))) => format!("error: {error}"),
            Some(Err(payload)) => {
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
        let mut out = f.debug_struct("ResourceGuard");
        // `None` while released or being released.
        let shown = self.registered.slot().with(|p| {
            out.field("resource", &Some(&p.resource));
        });
        if shown.is_none() {
            out.field("resource", &None::<&T>);
        }
        out.field("source", &self.source).finish_non_exhaustive()
    }
}
