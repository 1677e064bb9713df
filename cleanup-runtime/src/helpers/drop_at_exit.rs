//! Keeping a value until the process ends, then dropping it as a cleanup.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::Handle;
use crate::base::text;

/// Keeps `value` and drops it when the process ends — after `main`
/// returns, after `std::process::exit` from any thread, after SIGINT,
/// SIGTERM or SIGHUP — in LIFO order with the other cleanups.
///
/// For values whose `Drop` does the last piece of work: a `BufWriter`
/// that flushes, a logging guard (tracing-appender's `WorkerGuard`, see
/// [`logging`](crate::logging)) that drains its queue. `std::process::exit`
/// and a signal skip every `Drop`; these values are dropped anyway.
///
/// Not for a value whose `Drop` does nothing you need: dropping a
/// [`std::process::Child`] neither kills nor waits for the child, so
/// `drop_at_exit(child)` leaves it running. Say what to do with a
/// [`ResourceGuard`](crate::ResourceGuard) instead:
///
/// ```
/// # #[cfg(unix)] {
/// use std::process::Command;
///
/// let helper = cleanup_runtime::ResourceGuard::acquire(
///     || Command::new("sleep").arg("60").spawn(),
///     |mut child| {
///         child.kill()?; // `Ok` if it has exited already
///         child.wait().map(drop) // reaped: no zombie left
///     },
/// )?;
/// # let report = cleanup_runtime::run_now();
/// # assert_eq!(report.failures().count(), 0);
/// # assert!(helper.is_released());
/// # }
/// // ... killed and reaped when the process ends, however it ends.
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// The returned [`Kept`] gives access to the value meanwhile; dropping it
/// does **not** drop the value (`drop_at_exit(guard);` alone is fine). The
/// report names the cleanup `drop_at_exit: <type> [n]` (the type without
/// its module paths, `n` making the name unique), with the caller's
/// `file:line`.
///
/// ```
/// use std::io::{BufWriter, Write};
///
/// let (file, path) = cleanup_runtime::temp::file()?;
/// let log = cleanup_runtime::drop_at_exit(BufWriter::new(file));
/// for i in 0..1000 {
///     log.with(|out| writeln!(out, "line {i}")).expect("not dropped yet")?;
/// }
/// // std::process::exit(0) here would still flush every line.
/// # let report = cleanup_runtime::run_now();
/// # assert!(report.entries()[0].name().starts_with("drop_at_exit: BufWriter<File> ["));
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn drop_at_exit<T: Send + 'static>(value: T) -> Kept<T> {
    let slot = Arc::new(Mutex::new(Some(value)));
    let for_cleanup = Arc::clone(&slot);
    let name = unique_name::<T>("drop_at_exit");
    let handle = crate::register_named(&name, move || drop_value::<T>(&for_cleanup));
    Kept { slot, handle }
}

/// `<kind>: <T without module paths> [n]`: a report name no other helper
/// entry has, so `register_named` never replaces one of ours.
pub(crate) fn unique_name<T>(kind: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{kind}: {} [{n}]",
        short_type_name(std::any::type_name::<T>())
    )
}

/// `std::io::BufWriter<std::fs::File>` -> `BufWriter<File>`; a closure
/// `app::main::{{closure}}` -> `closure in main`, as the report names
/// closures (never `{{closure}}`).
fn short_type_name(full: &str) -> String {
    const CLOSURE: &str = "::{{closure}}";
    let mut rest = full;
    let mut short = String::new();
    while let Some(outer) = rest.strip_suffix(CLOSURE).filter(|outer| !outer.is_empty()) {
        short.push_str("closure in ");
        rest = outer;
    }
    short + &without_module_paths(&text::replace(rest, "{{closure}}", "{closure}"))
}

/// `std::io::BufWriter<std::fs::File>` -> `BufWriter<File>`.
fn without_module_paths(full: &str) -> String {
    let mut short = String::with_capacity(full.len());
    let mut segment_start = 0;
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            short.truncate(segment_start);
            continue;
        }
        short.push(c);
        // Identifiers are the only place a type name has non-ASCII
        // characters (and testing for them so needs no Unicode table).
        if !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()) {
            segment_start = short.len();
        }
    }
    short
}

/// The cleanup: takes the value out (under the lock, so a [`Kept::with`]
/// in progress finishes first) and drops it outside the lock.
fn drop_value<T>(slot: &Mutex<Option<T>>) {
    let value = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    drop(value);
}

/// A value kept by [`drop_at_exit`] until the process ends.
///
/// Dropping a `Kept` leaves the value where it is, to be dropped at exit.
/// That is why it is not `#[must_use]`: `drop_at_exit(guard);` alone is the
/// way to say "drop this at exit, I need nothing more from it". What
/// [`with`](Kept::with) returns is: its `None` and the closure's own
/// result must not vanish unseen.
///
/// ```
/// let kept = cleanup_runtime::drop_at_exit(vec![1, 2, 3]);
/// kept.with(|v| v.push(4));
/// assert_eq!(kept.with(|v| v.len()), Some(4));
/// # cleanup_runtime::run_now();
/// ```
#[derive(Debug)]
pub struct Kept<T> {
    slot: Arc<Mutex<Option<T>>>,
    handle: Handle,
}

impl<T> Kept<T> {
    /// Calls `f` with the value, unless it was already dropped (the process
    /// is ending: a signal or another thread's `exit` started the cleanups);
    /// then returns `None`.
    ///
    /// While `f` runs, the cleanup that drops the value waits for it, so a
    /// write in progress is never cut in half — keep `f` short.
    ///
    /// ```
    /// let kept = cleanup_runtime::drop_at_exit(String::from("a"));
    /// kept.with(|s| s.push('b'));
    /// cleanup_runtime::run_now();
    /// assert_eq!(kept.with(|s| s.len()), None, "dropped by the cleanups");
    /// ```
    #[must_use = "`None` means the value was already dropped at exit, and what the closure returned (an `io::Result`?) is inside"]
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_mut().map(f)
    }

    /// Takes the value back (its cleanup is unregistered), or `None` if it
    /// was already dropped.
    ///
    /// ```
    /// let kept = cleanup_runtime::drop_at_exit(String::from("mine again"));
    /// assert_eq!(kept.into_inner().as_deref(), Some("mine again"));
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// ```
    #[must_use = "the value is handed back, not dropped at exit: use it or drop it"]
    pub fn into_inner(self) -> Option<T> {
        self.handle.unregister();
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_type_names_drop_module_paths() {
        assert_eq!(
            super::short_type_name("std::io::BufWriter<std::fs::File>"),
            "BufWriter<File>"
        );
        assert_eq!(
            super::short_type_name("core::result::Result<(), std::io::Error>"),
            "Result<(), Error>"
        );
        assert_eq!(super::short_type_name("&[u8]"), "&[u8]");
    }

    #[test]
    fn closures_are_named_after_where_they_were_written() {
        assert_eq!(
            super::short_type_name("app::main::{{closure}}"),
            "closure in main"
        );
        assert_eq!(
            super::short_type_name("app::main::{{closure}}::{{closure}}"),
            "closure in closure in main"
        );
        assert_eq!(
            super::short_type_name("std::boxed::Box<app::main::{{closure}}>"),
            "Box<{closure}>"
        );
    }
}
