//! Temporary files and directories that are removed when the process ends
//! — after `main` returns, after `std::process::exit`, and after SIGINT,
//! SIGTERM or SIGHUP — where `tempfile`'s own guards are not (`Drop` never
//! runs on those paths; tempfile issue 452).
//!
//! [`dir`] and [`file()`] create fresh paths in [`std::env::temp_dir`]
//! (hidden, `.cleanup-XXXXXX`, readable and writable by the owner only);
//! [`track`] adopts a path the program made itself. Each becomes one
//! cleanup, run in LIFO order with the others and listed in the report as
//! `temp: <path>`.
//!
//! What removal promises:
//!
//! - **Registered before it exists.** [`dir`] and [`file()`] register the
//!   cleanup (which arms the signal handlers) first and create the path
//!   second, so a signal in between leaves nothing behind: a cleanup that
//!   runs while the path is being created waits for it, then removes it.
//! - **Never through a symlink.** A tracked symlink is removed itself and
//!   what it points to is left alone, also when the path is written with a
//!   trailing `/` or `/.` (`link/` is the link); a symlink inside a
//!   removed directory is unlinked, not descended into.
//! - **What the path meant when it was registered.** A relative path is
//!   made absolute against the working directory of then (a later `chdir`
//!   changes nothing), and on Unix the parent directory is held open from
//!   then on and the removal works relative to it (`openat`, `unlinkat`),
//!   so a parent renamed or swapped for a symlink afterwards cannot
//!   redirect it. (A parent that does not exist yet when [`track`] is
//!   called is opened by its absolute path at removal.)
//! - **Never into another file system** (Unix, as `rm --one-file-system`):
//!   a mount point inside a removed directory is left standing with what
//!   is mounted there, and the cleanup's error names it. On Linux a bind
//!   mount of the same file system is recognised too (by its mount id);
//!   elsewhere only a mount of another device is.
//! - **Against a program still writing** (the cleanups run after a signal
//!   while the program's threads go on): a directory is first renamed
//!   away to a hidden name beside it, so writes by path into it fail, then
//!   emptied, walked again (a bounded number of times) while it refills.
//! - **Through permissions we may restore** (Unix): a read-only or `000`
//!   subdirectory we own gets u+rwx back so it can be emptied (`rm -rf`
//!   would stop there). Someone else's directory is never changed.
//! - A path that is already gone is not an error; a forked child does not
//!   remove its parent's paths. Two paths are always two entries, whatever
//!   their bytes (a name that is not UTF-8 is shown escaped, `\xff`).
//!
//! The full rules of the walk, and what it does with mounts, symlinks,
//! permissions and writers, are in the crate docs' hazards section
//! ([Hazards](crate#what-the-temp-helpers-remove-and-what-they-leave)).
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

use std::ffi::OsString;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::helpers::anchored::Anchored;
use crate::helpers::entry_name;
use crate::helpers::release_once::{NotAcquired, Registered};

/// How many fresh names [`dir`] and [`file()`] try before giving up.
const ATTEMPTS: usize = 100;

/// A path that is removed when the process ends, returned by [`dir`],
/// [`file()`] and [`track`].
///
/// Dropping it changes nothing: the path stays until the process ends (or
/// [`Tracked::remove`]). It dereferences to the [`Path`].
///
/// A [`remove`](Tracked::remove) on another thread that has begun when the
/// process ends is waited for by the run at exit (bounded by its
/// deadline), never cut off: the exit's cleanup is taken back only once
/// the removal is over, and whichever of the two comes first removes the
/// path, once.
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
#[must_use = "the path is removed at exit either way, but without the `Tracked` it cannot be found or removed sooner; `let _ = ...` says that is meant"]
pub struct Tracked {
    path: PathBuf,
    registered: Registered<Anchored>,
}

impl Tracked {
    /// The tracked path, as pinned when it was registered: absolute, and
    /// without a trailing `/` or `/.`.
    ///
    /// ```
    /// let scratch = cleanup_runtime::temp::dir()?;
    /// assert!(scratch.path().is_dir());
    /// let tracked = cleanup_runtime::temp::track("build/");
    /// assert_eq!(tracked.path(), std::env::current_dir()?.join("build"));
    /// # drop(tracked.keep());
    /// # cleanup_runtime::run_now();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the path now and takes its cleanup back (once the removal
    /// is over). As at exit, a symlink is removed itself, and a path
    /// already gone is `Ok`; so is a path the run at exit is removing
    /// right now (the process is ending).
    ///
    /// # Errors
    ///
    /// The error of removing the path (a permission, a busy mount point);
    /// the cleanup is taken back all the same, as the removal was tried.
    ///
    /// ```
    /// let scratch = cleanup_runtime::temp::dir()?;
    /// let path = scratch.path().to_owned();
    /// scratch.remove()?;
    /// assert!(!path.exists());
    /// assert!(cleanup_runtime::run_now().entries().is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn remove(mut self) -> io::Result<()> {
        self.registered
            .release(|anchored| anchored.remove())
            .unwrap_or(Ok(()))
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
    #[must_use = "the path is kept for good: it is returned so that something can use or remove it"]
    pub fn keep(mut self) -> PathBuf {
        drop(self.registered.slot().take());
        self.registered.unregister();
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
/// The cleanup is registered before the directory is made, so a signal
/// at any moment leaves nothing behind.
///
/// # Errors
///
/// The error of creating the directory (the temp dir not writable, no
/// space); an error of kind `Other` if the process is already ending (a
/// signal started the cleanups meanwhile).
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
    create(make_dir).map(|(tracked, _)| tracked)
}

/// Creates a new file, readable and writable by the owner only (mode
/// `0600`), in [`std::env::temp_dir`], removed when the process ends.
/// Returns the open file and its path.
///
/// The cleanup is registered before the file is made, as for [`dir`].
///
/// # Errors
///
/// As [`dir`]'s: creating the file failed, or the process is ending.
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
    let (tracked, file) = create(make_file)?;
    let file = file.ok_or_else(|| io::Error::other("no file was opened"))?;
    Ok((file, tracked))
}

/// Removes `path` when the process ends: a file, a symlink (the link
/// itself, never its target, also as `link/` or `link/.`) or a directory
/// with everything in it. The path need not exist yet, and may be gone by
/// then. A relative path is taken against the working directory now.
///
/// The cleanup is named `temp: <absolute path>` in the report; tracking
/// the same path twice keeps one cleanup, in the place of the first.
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
pub fn track(path: impl AsRef<Path>) -> Tracked {
    let anchored = Anchored::new(path.as_ref());
    let path = anchored.path().to_owned();
    let name = entry_name::for_path("temp", &path);
    Tracked {
        path,
        registered: Registered::held(name, anchored, remove_at_exit),
    }
}

/// The cleanup at exit: `Err` names the path.
fn remove_at_exit(anchored: Anchored) -> Result<(), String> {
    anchored
        .remove()
        .map_err(|error| format!("cannot remove {}: {error}", anchored.path().display()))
}

/// A fresh path in the temp dir, registered first and made second by
/// `make` (which fails with `AlreadyExists` if the name is taken: the next
/// name is tried).
#[track_caller]
fn create(make: fn(&Anchored) -> io::Result<Option<File>>) -> io::Result<(Tracked, Option<File>)> {
    let temp_dir = std::env::temp_dir();
    for _ in 0..ATTEMPTS {
        let anchored = Anchored::new(&temp_dir.join(fresh_name()));
        let path = anchored.path().to_owned();
        let mut registered = Registered::new(entry_name::for_path("temp", &path), remove_at_exit);
        let mut file = None;
        let made = registered.slot().acquire(|| -> io::Result<Anchored> {
            file = make(&anchored)?;
            Ok(anchored)
        });
        match made {
            Ok(()) => return Ok((Tracked { path, registered }, file)),
            Err(NotAcquired::Failed(error)) => {
                registered.unregister();
                if error.kind() != io::ErrorKind::AlreadyExists {
                    return Err(error);
                }
            }
            Err(NotAcquired::Ending) => {
                return Err(io::Error::other(
                    "the process is ending: its cleanups have started",
                ));
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free name for a temporary path",
    ))
}

/// `.cleanup-XXXXXX`: six letters or digits, from std's per-process
/// random hash keys (unguessable by other users; `mkdir`/`O_EXCL` settle
/// a collision).
fn fresh_name() -> OsString {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut hasher = std::hash::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    let mut bits = hasher.finish();
    let mut name = String::from(".cleanup-");
    for _ in 0..6 {
        name.push(char::from(ALPHABET[(bits % 62) as usize]));
        bits /= 62;
    }
    name.into()
}

#[cfg(unix)]
fn make_dir(anchored: &Anchored) -> io::Result<Option<File>> {
    let parent = anchored.parent()?;
    let mode = rustix::fs::Mode::from_bits_truncate(0o700);
    rustix::fs::mkdirat(&parent, anchored.name()?, mode)?;
    Ok(None)
}

#[cfg(unix)]
fn make_file(anchored: &Anchored) -> io::Result<Option<File>> {
    use rustix::fs::{Mode, OFlags};
    let parent = anchored.parent()?;
    let flags = OFlags::RDWR | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(
        &parent,
        anchored.name()?,
        flags,
        Mode::from_bits_truncate(0o600),
    )?;
    Ok(Some(File::from(fd)))
}

#[cfg(windows)]
fn make_dir(anchored: &Anchored) -> io::Result<Option<File>> {
    std::fs::create_dir(anchored.path())?;
    Ok(None)
}

#[cfg(windows)]
fn make_file(anchored: &Anchored) -> io::Result<Option<File>> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(anchored.path())?;
    Ok(Some(file))
}

#[cfg(all(test, unix))]
mod tests {
    use super::Anchored;
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

        Anchored::new(&top.join(".")).remove().unwrap();
        assert!(std::fs::symlink_metadata(&top).is_err());
        Anchored::new(tree.path()).remove().unwrap();
        assert!(!tree.path().exists());
        assert!(outside.path().join("keep").exists());
        Anchored::new(tree.path()).remove().unwrap();
    }
}
