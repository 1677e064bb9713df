//! Temporary files and directories that are removed when the process ends
//! — after `main` returns, after `std::process::exit`, and after SIGINT,
//! SIGTERM or SIGHUP — where `tempfile`'s own guards are not (`Drop` never
//! runs on those paths; tempfile issue 452).
//!
//! [`dir`] and [`file()`] create fresh paths with the `tempfile` crate (in
//! [`std::env::temp_dir`], readable and writable by the owner only);
//! [`track`] adopts a path the program made itself. Each becomes one
//! cleanup, run in LIFO order with the others and listed in the report as
//! `temp: <path>`.
//!
//! Removal never follows a symbolic link: a tracked symlink is removed
//! itself and what it points to is left alone, and a symlink inside a
//! removed directory is unlinked, not descended into
//! ([`std::fs::remove_dir_all`]'s guarantee). A path that is already gone
//! is not an error. A forked child does not remove its parent's paths.
//!
//! ```
//! use std::io::Write;
//!
//! let scratch = cleanup_runtime::temp::dir()?;
//! std::fs::write(scratch.join("partial.bin"), b"...")?;
//!
//! let (mut file, path) = cleanup_runtime::temp::file()?;
//! writeln!(file, "draft")?;
//!
//! # let _ = cleanup_runtime::run_now();
//! # assert!(!scratch.exists() && !path.exists());
//! // ... both are gone when the process ends, however it ends.
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fs::File;
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::Handle;

/// A path that is removed when the process ends, returned by [`dir`],
/// [`file()`] and [`track`].
///
/// Dropping it changes nothing: the path stays until the process ends (or
/// [`Tracked::remove`]). It dereferences to the [`Path`].
///
/// ```
/// let scratch = cleanup_runtime::temp::dir()?;
/// let output = scratch.join("out.txt"); // through `Deref<Target = Path>`
/// std::fs::write(&output, "hello")?;
/// scratch.remove()?; // now, rather than at exit
/// assert!(!output.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Tracked {
    path: PathBuf,
    handle: Handle,
}

impl Tracked {
    /// The tracked path.
    ///
    /// ```
    /// let scratch = cleanup_runtime::temp::dir()?;
    /// assert!(scratch.path().is_dir());
    /// # cleanup_runtime::run_now();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the path now and takes its cleanup back. As at exit, a
    /// symlink is removed itself, and a path already gone is `Ok`.
    ///
    /// ```
    /// let scratch = cleanup_runtime::temp::dir()?;
    /// let path = scratch.path().to_owned();
    /// scratch.remove()?;
    /// assert!(!path.exists());
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove(self) -> io::Result<()> {
        self.handle.unregister();
        remove_path(&self.path)
    }

    /// Takes the cleanup back and leaves the path in place for good.
    ///
    /// ```
    /// let scratch = cleanup_runtime::temp::dir()?;
    /// let kept = scratch.keep();
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// assert!(kept.is_dir());
    /// # std::fs::remove_dir(kept)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn keep(self) -> PathBuf {
        self.handle.unregister();
        self.path
    }
}

impl Deref for Tracked {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Tracked {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// Creates a new directory, readable by the owner only (mode `0700`), in
/// [`std::env::temp_dir`], removed with everything in it when the process
/// ends.
///
/// ```
/// let scratch = cleanup_runtime::temp::dir()?;
/// std::fs::create_dir(scratch.join("nested"))?;
/// let report = cleanup_runtime::run_now();
/// assert!(report.entries()[0].name().starts_with("temp: "));
/// assert!(!scratch.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn dir() -> io::Result<Tracked> {
    let dir = tempfile::Builder::new().prefix(".cleanup-").tempdir()?;
    // Registered before `tempfile` lets go of it, so there is no moment
    // when nobody would remove it.
    let tracked = track(dir.path());
    let _ = dir.keep();
    Ok(tracked)
}

/// Creates a new file, readable and writable by the owner only (mode
/// `0600`), in [`std::env::temp_dir`], removed when the process ends.
/// Returns the open file and its path.
///
/// ```
/// use std::io::{Read, Seek, Write};
///
/// let (mut file, path) = cleanup_runtime::temp::file()?;
/// file.write_all(b"scratch")?;
/// file.rewind()?;
/// let mut text = String::new();
/// file.read_to_string(&mut text)?;
/// assert_eq!(text, "scratch");
/// cleanup_runtime::run_now();
/// assert!(!path.exists());
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn file() -> io::Result<(File, Tracked)> {
    let (file, path) = tempfile::Builder::new()
        .prefix(".cleanup-")
        .tempfile()?
        .into_parts();
    let tracked = track(&*path);
    let _ = path.keep();
    Ok((file, tracked))
}

/// Removes `path` when the process ends: a file, a symlink (the link
/// itself, never its target) or a directory with everything in it. The
/// path need not exist yet, and may be gone by then.
///
/// The cleanup is named `temp: <path>` in the report; tracking the same path
/// twice keeps one cleanup, in the place of the first.
///
/// ```
/// let path = std::env::temp_dir().join(format!("tracked-{}", std::process::id()));
/// let tracked = cleanup_runtime::temp::track(&path);
/// std::fs::create_dir_all(path.join("a/b"))?;
/// cleanup_runtime::run_now();
/// assert!(!path.exists());
/// # drop(tracked);
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn track(path: impl Into<PathBuf>) -> Tracked {
    let path = path.into();
    let for_cleanup = path.clone();
    let handle = crate::register_named(format!("temp: {}", path.display()), move || {
        remove_path(&for_cleanup)
            .map_err(|error| format!("cannot remove {}: {error}", for_cleanup.display()))
    });
    Tracked { path, handle }
}

/// Removes `path` without following a symlink at or under it; a path that
/// is already gone is fine.
fn remove_path(path: &Path) -> io::Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        // A file, or a symlink: unlinked itself.
        Ok(_) => std::fs::remove_file(path),
        Err(error) => Err(error),
    };
    match removed {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::remove_path;
    use std::os::unix::fs::symlink;

    #[test]
    fn a_symlink_is_removed_itself_and_a_missing_path_is_fine() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep"), "x").unwrap();
        let tree = tempfile::tempdir().unwrap();
        let inner = tree.path().join("inner-link");
        symlink(outside.path(), &inner).unwrap();
        let top = tree.path().join("top-link");
        symlink(outside.path(), &top).unwrap();

        remove_path(&top).unwrap();
        assert!(std::fs::symlink_metadata(&top).is_err());
        remove_path(tree.path()).unwrap();
        assert!(!tree.path().exists());
        assert!(outside.path().join("keep").exists());
        remove_path(tree.path()).unwrap();
    }
}
