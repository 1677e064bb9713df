//! A pid file that tells whether the program is already running, and is
//! removed when the process ends however it ends.
//!
//! Liveness is an advisory `flock` held on the file for the life of the
//! process, not a "is that pid alive?" check: the kernel drops the lock
//! when the process ends (even by SIGKILL), so a leftover file is known to
//! be stale, and a recycled pid cannot make it look alive.
//!
//! [`PidFile::create`]:
//!
//! 1. creates the file exclusively (`O_CREAT | O_EXCL | O_NOFOLLOW`), or
//!    else opens the existing one without following a symlink;
//! 2. takes the lock without waiting; if another process holds it, fails
//!    with [`PidFileError::Running`] naming that process's pid and leaves
//!    the file alone;
//! 3. otherwise writes our pid (taking a stale file over) and registers a
//!    cleanup named `pid file: <path>`.
//!
//! The file is removed when the [`PidFile`] is dropped or when the process
//! ends, whichever comes first — but only while it is still the file we
//! created and still holds our pid: one that another process replaced or
//! rewrote is left in place, and the cleanup reports it. A forked child
//! never removes its parent's pid file; a daemon creates its pid file
//! after forking.
//!
//! ```
//! use cleanup_runtime::pidfile::{PidFile, PidFileError};
//!
//! let path = std::env::temp_dir().join(format!("doc-{}.pid", std::process::id()));
//! let pid_file = PidFile::create(&path)?;
//! assert_eq!(std::fs::read_to_string(&path)?, format!("{}\n", std::process::id()));
//!
//! // A second instance (here: a second attempt) is refused, naming the owner.
//! match PidFile::create(&path) {
//!     Err(PidFileError::Running { pid, .. }) => assert_eq!(pid, std::process::id()),
//!     other => panic!("{other:?}"),
//! }
//! drop(pid_file); // or: the process ends
//! assert!(!path.exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::Handle;

/// How often `create` starts over when the file at the path changes under
/// it (removed or replaced by the process that held it).
const ATTEMPTS: usize = 20;
/// How often to read a locked file whose owner has not written its pid yet
/// (it creates the file, then writes), one millisecond apart.
const PID_READS: usize = 200;

/// Why a pid file could not be created or removed.
///
/// ```
/// use cleanup_runtime::pidfile::{PidFile, PidFileError};
///
/// let dir = tempfile::tempdir()?;
/// let link = dir.path().join("app.pid");
/// std::os::unix::fs::symlink("/etc/passwd", &link)?;
/// let error = PidFile::create(&link).unwrap_err();
/// assert!(matches!(error, PidFileError::Symlink { .. }));
/// assert!(error.to_string().contains("symbolic link"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PidFileError {
    /// Another live process holds the pid file.
    #[error("{} is held by running process {pid}", .path.display())]
    Running {
        /// The pid file.
        path: PathBuf,
        /// The pid the owner wrote in it.
        pid: u32,
    },
    /// Another live process holds the pid file, but what it holds is not a
    /// pid.
    #[error("{} is locked by a running process, but holds {found:?}, not a pid", .path.display())]
    LockedWithoutPid {
        /// The pid file.
        path: PathBuf,
        /// What the file holds.
        found: String,
    },
    /// The path is a symbolic link, which a pid file never follows.
    #[error("{} is a symbolic link; a pid file is never followed through one", .path.display())]
    Symlink {
        /// The pid file's path.
        path: PathBuf,
    },
    /// The path exists and is not a regular file.
    #[error("{} exists and is not a regular file", .path.display())]
    NotAFile {
        /// The pid file's path.
        path: PathBuf,
    },
    /// At removal: the file at the path is no longer ours (replaced, or
    /// rewritten with another pid), so it was left in place.
    #[error("{} now holds {found:?}, not our pid {ours}; left in place", .path.display())]
    NotOurs {
        /// The pid file.
        path: PathBuf,
        /// Our pid.
        ours: u32,
        /// What the file at the path holds now.
        found: String,
    },
    /// A system call failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// The pid file.
        path: PathBuf,
        /// What was being done: `create`, `open`, `lock`, `write`, ...
        action: &'static str,
        /// The error.
        #[source]
        source: io::Error,
    },
}

/// A pid file this process holds: created (or taken over) by
/// [`PidFile::create`], locked until the process ends, removed on drop or
/// at exit.
///
/// ```
/// use cleanup_runtime::pidfile::PidFile;
///
/// let path = std::env::temp_dir().join(format!("doc-struct-{}.pid", std::process::id()));
/// let pid_file = PidFile::create(&path)?;
/// assert_eq!(pid_file.pid(), std::process::id());
/// assert_eq!(pid_file.path(), path);
/// let report = cleanup_runtime::run_now(); // as at exit
/// assert_eq!(report.entries()[0].name(), format!("pid file: {}", path.display()));
/// assert!(!path.exists());
/// # Ok::<(), cleanup_runtime::pidfile::PidFileError>(())
/// ```
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    pid: u32,
    held: Arc<Mutex<Option<Held>>>,
    handle: Option<Handle>,
}

/// The open, locked file; closing it releases the lock.
#[derive(Debug)]
struct Held {
    file: File,
    path: PathBuf,
    pid: u32,
}

impl PidFile {
    /// Creates the pid file at `path` (or takes a stale one over), writes
    /// our pid in it and holds its lock. See the [module docs](self).
    ///
    /// ```
    /// use cleanup_runtime::pidfile::PidFile;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("app.pid");
    /// std::fs::write(&path, "4242\n")?; // left by a process that is gone
    /// let pid_file = PidFile::create(&path).expect("stale: nobody holds its lock");
    /// assert_eq!(std::fs::read_to_string(&path)?, format!("{}\n", pid_file.pid()));
    /// # drop(pid_file);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn create(path: impl AsRef<Path>) -> Result<PidFile, PidFileError> {
        let path = path.as_ref().to_owned();
        let file = acquire(&path)?;
        let pid = std::process::id();
        write_pid(&file, pid).map_err(|e| io_error(&path, "write", e))?;
        let held = Arc::new(Mutex::new(Some(Held {
            file,
            path: path.clone(),
            pid,
        })));
        let for_cleanup = Arc::clone(&held);
        let handle = crate::register_named(format!("pid file: {}", path.display()), move || {
            take(&for_cleanup).map_or(Ok(()), release)
        });
        Ok(PidFile {
            path,
            pid,
            held,
            handle: Some(handle),
        })
    }

    /// The pid file's path.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let pid_file = cleanup_runtime::pidfile::PidFile::create(dir.path().join("a.pid"))?;
    /// assert!(pid_file.path().ends_with("a.pid"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pid written in the file: this process's.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let pid_file = cleanup_runtime::pidfile::PidFile::create(dir.path().join("a.pid"))?;
    /// assert_eq!(pid_file.pid(), std::process::id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Removes the file now (if it still holds our pid), releases the lock
    /// and takes the cleanup back; unlike dropping, says what went wrong.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("a.pid");
    /// let pid_file = cleanup_runtime::pidfile::PidFile::create(&path)?;
    /// std::fs::write(&path, "1\n")?; // someone else rewrote it
    /// assert!(pid_file.remove().is_err());
    /// assert!(path.exists(), "not ours any more: left alone");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remove(mut self) -> Result<(), PidFileError> {
        self.remove_now()
    }

    fn remove_now(&mut self) -> Result<(), PidFileError> {
        if let Some(handle) = self.handle.take() {
            handle.unregister();
        }
        take(&self.held).map_or(Ok(()), release)
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        if let Err(error) = self.remove_now() {
            crate::diagnostics::warn(format_args!("{error}"));
        }
    }
}

fn take(held: &Mutex<Option<Held>>) -> Option<Held> {
    held.lock().unwrap_or_else(PoisonError::into_inner).take()
}

fn io_error(path: &Path, action: &'static str, source: io::Error) -> PidFileError {
    PidFileError::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

/// Opens (creating it if need be) and locks the pid file at `path`.
fn acquire(path: &Path) -> Result<File, PidFileError> {
    for _ in 0..ATTEMPTS {
        let file = match open(path, true) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => match open(path, false) {
                Ok(file) => file,
                // Removed since: start over.
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => return Err(open_error(path, error)),
            },
            Err(error) => return Err(open_error(path, error)),
        };
        if !file
            .metadata()
            .map_err(|e| io_error(path, "stat", e))?
            .is_file()
        {
            return Err(PidFileError::NotAFile {
                path: path.to_owned(),
            });
        }
        if !try_lock(&file).map_err(|e| io_error(path, "lock", e))? {
            return Err(held_by_other(path, &file));
        }
        // Locked, so nobody else holds it: ours, whether new or stale —
        // unless the path was removed or replaced between our open and our
        // lock (its owner let go of it); then start over.
        if is_at(&file, path) {
            return Ok(file);
        }
    }
    Err(io_error(
        path,
        "lock",
        io::Error::other("the file kept being replaced"),
    ))
}

/// Opens `path` read-write without following a symlink; `new`: it must
/// not exist yet.
fn open(path: &Path, new: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .mode(0o644);
    if new {
        options.create_new(true); // O_CREAT | O_EXCL
    }
    options.open(path)
}

fn open_error(path: &Path, error: io::Error) -> PidFileError {
    // O_NOFOLLOW gives ELOOP for a symlink at the path.
    if error.raw_os_error() == Some(libc::ELOOP) {
        return PidFileError::Symlink {
            path: path.to_owned(),
        };
    }
    io_error(path, "open", error)
}

/// Takes the exclusive lock without waiting; `false` if another open file
/// holds it.
fn try_lock(file: &File) -> io::Result<bool> {
    loop {
        // SAFETY: flock on an fd we own; no memory is involved.
        let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if result == 0 {
            return Ok(true);
        }
        let error = io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EWOULDBLOCK) => return Ok(false),
            Some(libc::EINTR) => continue,
            _ => return Err(error),
        }
    }
}

/// Whether `path` (not followed) is still the file `file` has open.
fn is_at(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(open), Ok(at_path)) => open.dev() == at_path.dev() && open.ino() == at_path.ino(),
        _ => false,
    }
}

/// The error for a file whose lock another process holds: read the pid it
/// wrote, giving it a moment if it has only just created the file.
fn held_by_other(path: &Path, file: &File) -> PidFileError {
    let mut found = String::new();
    for _ in 0..PID_READS {
        found = match read_all(file) {
            Ok(text) => text,
            Err(error) => return io_error(path, "read", error),
        };
        if let Some(pid) = parse_pid(&found) {
            return PidFileError::Running {
                path: path.to_owned(),
                pid,
            };
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    PidFileError::LockedWithoutPid {
        path: path.to_owned(),
        found,
    }
}

fn read_all(file: &File) -> io::Result<String> {
    let mut bytes = vec![0; 64];
    let read = file.read_at(&mut bytes, 0)?;
    bytes.truncate(read);
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn parse_pid(text: &str) -> Option<u32> {
    text.trim().parse().ok().filter(|&pid| pid > 0)
}

fn write_pid(file: &File, pid: u32) -> io::Result<()> {
    file.set_len(0)?;
    file.write_all_at(format!("{pid}\n").as_bytes(), 0)
}

/// Removes the file if it is still ours, then closes it (releasing the
/// lock). In a forked child, which holds its parent's file, does nothing.
fn release(held: Held) -> Result<(), PidFileError> {
    let Held { file, path, pid } = held;
    if std::process::id() != pid {
        // A forked child: the file and its lock belong to the parent (the
        // lock stays while the parent's descriptor is open).
        return Ok(());
    }
    let current = match open(&path, false) {
        Ok(current) => current,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => {
            return Err(not_ours(path, pid, "a symbolic link".to_owned()));
        }
        Err(error) => return Err(open_error(&path, error)),
    };
    let found = read_all(&current).map_err(|e| io_error(&path, "read", e))?;
    if !is_at(&file, &path) {
        return Err(not_ours(path, pid, format!("another file ({found:?})")));
    }
    if parse_pid(&found) != Some(pid) {
        return Err(not_ours(path, pid, found));
    }
    // Unlinked while still locked, so a process waiting on the lock finds
    // the path gone (`is_at`) and starts over.
    match std::fs::remove_file(&path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(io_error(&path, "remove", error))
        }
        _ => Ok(()),
    }
}

fn not_ours(path: PathBuf, ours: u32, found: String) -> PidFileError {
    PidFileError::NotOurs { path, ours, found }
}
