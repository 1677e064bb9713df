//! A pid file that tells whether the program is already running, and is
//! removed when the process ends however it ends. Unix only: it rests on
//! `flock`, `O_NOFOLLOW`, hard links and inode numbers, and Windows' file
//! locks are mandatory (a locked file cannot be read by another process),
//! so the design does not carry over (PORTABILITY.md, "Windows").
//!
//! Feature `pidfile` (default), on `rustix` alone: the new file's unique
//! name, its exclusive creation and its move into place are written here
//! (`fresh_file`), relative to the directory held open, like the rest.
//! `tempfile` does the same by path, but for this one job it added 3
//! crates and 0.8 s to a cold debug build of a program with one
//! `#[at_exit]` (0.45 s of it on the build's critical path, between
//! `rustix` and this crate), where that build already took 12.2 s more
//! than a plain hello against a goal of 8 s.
//!
//! Liveness is an advisory `flock` held on the file for the life of the
//! process, not a "is that pid alive?" check: the kernel drops the lock
//! when the process ends (even by SIGKILL), so a leftover file is known to
//! be stale, and a recycled pid cannot make it look alive.
//!
//! [`PidFile::create`]:
//!
//! 1. writes our pid into a new hidden file next to the path
//!    (`.NAME.XXXXXX.new`: six letters mixed from our pid, a counter and
//!    the clock, created exclusively, another name tried where one is
//!    taken; mode `0644` less the umask) and locks it;
//! 2. moves it to the path in one step if nothing is there yet;
//! 3. else opens what is there without following a symlink, and if no
//!    process holds its lock (stale), renames ours over it; if one does,
//!    fails with [`PidFileError::Running`] naming that process's pid and
//!    leaves the file alone;
//!
//! The cleanup that removes it, named `pid file: <path>` (the absolute
//! path; escaped where it is not UTF-8, so two paths are two entries), is
//! registered *before* step 1: a signal that comes while `create` runs
//! waits for it, then removes what it put in place.
//!
//! So the file at the path is never written in place: a reader never sees
//! it empty, half written, or naming a dead process while a live one
//! holds it, and nothing is ever written through a path that is a hard
//! link to some other file. A process killed between steps 1 and 2 leaves
//! its hidden file behind.
//!
//! The file is removed when the [`PidFile`] is dropped or when the process
//! ends, whichever comes first — but only while it is still the file we
//! created and still holds our pid: one that another process replaced or
//! rewrote is left in place, and the cleanup reports it. A forked child
//! never removes its parent's pid file; a daemon creates its pid file
//! after forking.
//!
//! A relative path means what it meant at `create`: it is made absolute
//! then, and the directory it is in is held open, the removal working
//! relative to it, so a later `chdir`, or the directory renamed, cannot
//! send it elsewhere. A drop (or [`PidFile::remove`]) on another thread
//! that has begun when the process ends is waited for by the run at exit
//! (bounded by its deadline), never cut off: the cleanup is taken back
//! only once the removal is over.
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

mod fresh_file;

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::helpers::anchored::Anchored;
use crate::helpers::entry_name;
use crate::helpers::release_once::{NotAcquired, Registered};
use fresh_file::FreshFile;

/// How often `create` starts over when the file at the path changes under
/// it (removed, or replaced by the process that took it over).
const ATTEMPTS: usize = 20;
/// How often to look again, a millisecond apart, at a file that another
/// process holds exclusively: it is taking the file over and is about to
/// rename its own into place (see [`acquire`]).
const TAKEOVER_WAITS: usize = 1000;

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
#[derive(Debug)]
#[non_exhaustive]
pub enum PidFileError {
    /// Another live process holds the pid file.
    #[non_exhaustive]
    Running {
        /// The pid file.
        path: PathBuf,
        /// The pid the owner wrote in it.
        pid: u32,
    },
    /// Another live process holds the pid file, but what it holds is not a
    /// pid.
    #[non_exhaustive]
    LockedWithoutPid {
        /// The pid file.
        path: PathBuf,
        /// What the file holds.
        found: String,
    },
    /// The path is a symbolic link, which a pid file never follows.
    #[non_exhaustive]
    Symlink {
        /// The pid file's path.
        path: PathBuf,
    },
    /// The path exists and is not a regular file.
    #[non_exhaustive]
    NotAFile {
        /// The pid file's path.
        path: PathBuf,
    },
    /// At removal: the file at the path is no longer ours (replaced, or
    /// rewritten with another pid), so it was left in place.
    #[non_exhaustive]
    NotOurs {
        /// The pid file.
        path: PathBuf,
        /// Our pid.
        ours: u32,
        /// What the file at the path holds now.
        found: String,
    },
    /// A system call failed.
    #[non_exhaustive]
    Io {
        /// The pid file.
        path: PathBuf,
        /// What was being done.
        action: Action,
        /// The error.
        source: io::Error,
    },
}

/// What a pid file's system call was doing when it failed
/// ([`PidFileError::Io`]). Its `Display` is the verb the error message
/// uses: "cannot lock /run/app.pid: ...".
///
/// ```
/// use cleanup_runtime::pidfile::Action;
///
/// assert_eq!(Action::Lock.to_string(), "lock");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// Creating the file (or the new file that replaces a stale one).
    Create,
    /// Opening the file.
    Open,
    /// Reading what kind of file the path is.
    Stat,
    /// Taking or testing its lock.
    Lock,
    /// Reading the pid in it.
    Read,
    /// Writing our pid.
    Write,
    /// Putting the new file in place of a stale one.
    Rename,
    /// Removing it.
    Remove,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Create => "create",
            Action::Open => "open",
            Action::Stat => "stat",
            Action::Lock => "lock",
            Action::Read => "read",
            Action::Write => "write",
            Action::Rename => "rename",
            Action::Remove => "remove",
        })
    }
}

// `Display` and `Error` written out: five messages do not earn the
// `thiserror` derive, which put a proc-macro crate and `syn` in every
// user's build (measured in CHANGELOG.md, 0.1.0).
impl fmt::Display for PidFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PidFileError::Running { path, pid } => {
                write!(f, "{} is held by running process {pid}", path.display())
            }
            PidFileError::LockedWithoutPid { path, found } => write!(
                f,
                "{} is locked by a running process, but holds {found:?}, not a pid",
                path.display()
            ),
            PidFileError::Symlink { path } => write!(
                f,
                "{} is a symbolic link; a pid file is never followed through one",
                path.display()
            ),
            PidFileError::NotAFile { path } => {
                write!(f, "{} exists and is not a regular file", path.display())
            }
            PidFileError::NotOurs { path, ours, found } => write!(
                f,
                "{} now holds {found:?}, not our pid {ours}; left in place",
                path.display()
            ),
            PidFileError::Io {
                path,
                action,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for PidFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PidFileError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
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
#[must_use = "dropping a PidFile removes the file and lets a second instance start at once; keep it for the life of the process"]
pub struct PidFile {
    path: PathBuf,
    pid: u32,
    registered: Registered<Held>,
}

/// The open, locked file; closing it releases the lock.
#[derive(Debug)]
struct Held {
    file: File,
    at: Anchored,
    pid: u32,
}

impl PidFile {
    /// Creates the pid file at `path` (or takes a stale one over), writes
    /// our pid in it and holds its lock. See the [module docs](self).
    ///
    /// # Errors
    ///
    /// [`PidFileError::Running`] (or `LockedWithoutPid`) when a live
    /// process holds it; `Symlink` or `NotAFile` for a path that is no
    /// regular file; `Io`, with the [`Action`] that failed, for a system
    /// call's error (or the process already ending).
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
        let at = Anchored::new(path.as_ref());
        let path = at.path().to_owned();
        let pid = std::process::id();
        if !claim(&path) {
            // Ours already: refused before registering, whose cleanup
            // would replace the first one's (they have the same name).
            return Err(PidFileError::Running { path, pid });
        }
        let mut registered = Registered::new(entry_name::for_path("pid file", &path), release);
        let acquired = registered.slot().acquire(|| {
            let file = acquire(&at, pid)?;
            Ok(Held { file, at, pid })
        });
        match acquired {
            Ok(()) => Ok(PidFile {
                path,
                pid,
                registered,
            }),
            Err(NotAcquired::Failed(error)) => {
                registered.unregister();
                unclaim(&path);
                Err(error)
            }
            Err(NotAcquired::Ending) => Err(io_error(
                &path,
                Action::Create,
                io::Error::other("the process is ending: its cleanups have started"),
            )),
        }
    }

    /// The pid file's path, made absolute at [`create`](PidFile::create).
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let pid_file = cleanup_runtime::pidfile::PidFile::create(dir.path().join("a.pid"))?;
    /// assert!(pid_file.path().ends_with("a.pid"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
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
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Removes the file now (if it still holds our pid), releases the lock
    /// and takes the cleanup back; unlike dropping, says what went wrong.
    ///
    /// # Errors
    ///
    /// [`PidFileError::NotOurs`] when the file at the path no longer holds
    /// our pid (it is left in place); `Io` when reading or removing it
    /// failed.
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
        self.registered.release(release).unwrap_or(Ok(()))
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        if let Err(error) = self.remove_now() {
            crate::base::diagnostics::warn(format_args!("{error}"));
        }
    }
}

/// The pid files this process holds, by absolute path.
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Notes `path` as held by this process; `false` if it already is.
fn claim(path: &Path) -> bool {
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    if held.iter().any(|p| p == path) {
        return false;
    }
    held.push(path.to_owned());
    true
}

fn unclaim(path: &Path) {
    let mut held = HELD.lock().unwrap_or_else(PoisonError::into_inner);
    held.retain(|p| p != path);
}

fn io_error(path: &Path, action: Action, source: io::Error) -> PidFileError {
    PidFileError::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

/// Puts a file holding our pid at `path` — a new one, or over a stale one
/// — and returns it, locked for as long as it stays open.
///
/// The pid file is never written in place. Our pid goes into a fresh file
/// in the same directory, locked before anyone can see it, which then
/// takes the path in one step: linked where nothing is there yet (never
/// clobbering), or renamed over a stale file. So nobody ever reads a pid
/// file half written, or a stale pid from a file that a live process
/// holds; and nothing is ever written through the path into another file
/// it may be a hard link to.
///
/// The locks tell who holds the file at the path:
///
/// - its owner holds it *shared*, for the owner's life (and other
///   processes that are reading the owner's pid hold it shared briefly);
/// - a process taking a stale file over holds it *exclusively*, from when
///   it finds it stale until its own file has replaced it at the path.
///
/// So for the file found at the path: if the exclusive lock is granted,
/// nobody holds it: it is stale, and ours is renamed over it while we hold
/// it, so no second process can take it over too. Else, if the shared lock
/// is granted, no takeover is under way and the pid in it is its owner's.
/// Else a takeover is under way: look again once it is done. After either
/// lock, a file that has left the path meanwhile (removed by its owner,
/// replaced by a taker, which always renames before letting go) decides
/// nothing: start over.
///
/// One window is left: a taker killed between its exclusive lock and its
/// rename leaves the stale file at the path unlocked, and a process that
/// found it held just before may then lock it shared and name the dead
/// pid. The next attempt takes it over.
fn acquire(at: &Anchored, pid: u32) -> Result<File, PidFileError> {
    let path = at.path();
    let create_error = |e| io_error(path, Action::Create, e);
    let name = at.name().map_err(create_error)?;
    let parent = at.parent().map_err(create_error)?;
    let dir = parent.as_fd();
    let mut ours = fresh_file(dir, name, path, pid)?;
    let mut takeover_waits = 0;
    let mut attempts = 0;
    while attempts < ATTEMPTS {
        ours = match ours.persist_noclobber(name) {
            Ok(file) => return Ok(file),
            Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => error.file,
            Err(error) => return Err(io_error(path, Action::Create, error.error)),
        };
        let found = match open_existing_at(dir, name) {
            Ok(found) => found,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                attempts += 1; // removed since: start over
                continue;
            }
            Err(error) => return Err(open_error(path, error)),
        };
        if !found
            .metadata()
            .map_err(|e| io_error(path, Action::Stat, e))?
            .is_file()
        {
            return Err(PidFileError::NotAFile {
                path: path.to_owned(),
            });
        }
        let lock_error = |e| io_error(path, Action::Lock, e);
        if try_lock(&found, libc::LOCK_EX).map_err(lock_error)? {
            if is_at_in(&found, dir, name) {
                let placed = ours.persist(name);
                // Only now: `found`'s lock kept any other taker out until
                // ours had replaced it.
                drop(found);
                return placed.map_err(|e| io_error(path, Action::Rename, e.error));
            }
        } else if try_lock(&found, libc::LOCK_SH).map_err(lock_error)? {
            if is_at_in(&found, dir, name) {
                return Err(owner_of(path, &found));
            }
        } else if takeover_waits < TAKEOVER_WAITS {
            takeover_waits += 1;
            std::thread::sleep(std::time::Duration::from_millis(1));
            continue;
        } else {
            // Held exclusively for a whole second: not a takeover but an
            // owner that locks that way (earlier versions of this crate
            // did); its pid is in the file.
            return Err(owner_of(path, &found));
        }
        attempts += 1;
    }
    Err(io_error(
        path,
        Action::Lock,
        io::Error::other("the file kept being replaced"),
    ))
}

/// A new file named `.NAME.XXXXXX.new` in `dir`, next to the pid file
/// `name` (at `path`, for messages), holding our pid and locked shared:
/// what [`acquire`] puts at the path. Removed again if it never gets
/// there.
fn fresh_file<'d>(
    dir: BorrowedFd<'d>,
    name: &OsStr,
    path: &Path,
    pid: u32,
) -> Result<FreshFile<'d>, PidFileError> {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let file = FreshFile::create_in(
        dir,
        &prefix,
        OsStr::new(".new"),
        Mode::from_bits_truncate(0o644),
    )
    .map_err(|e| io_error(path, Action::Create, e))?;
    file.as_file()
        .write_all(format!("{pid}\n").as_bytes())
        .map_err(|e| io_error(path, Action::Write, e))?;
    // Nobody else can have it open yet, so this cannot be refused.
    if !try_lock(file.as_file(), libc::LOCK_SH).map_err(|e| io_error(path, Action::Lock, e))? {
        return Err(io_error(
            path,
            Action::Lock,
            io::Error::other("a new file was locked by someone else"),
        ));
    }
    Ok(file)
}

fn open_error(path: &Path, error: io::Error) -> PidFileError {
    if refused_a_symlink(&error) {
        return PidFileError::Symlink {
            path: path.to_owned(),
        };
    }
    io_error(path, Action::Open, error)
}

/// Whether an `open` with `O_NOFOLLOW` failed because a symlink is at the
/// path: ELOOP (POSIX.1-2008; Linux, macOS, OpenBSD, recent FreeBSD).
/// FreeBSD before it adopted ELOOP, and DragonFly, say EMLINK; NetBSD says
/// EFTYPE.
fn refused_a_symlink(error: &io::Error) -> bool {
    let code = error.raw_os_error();
    #[cfg(any(target_os = "freebsd", target_os = "dragonfly"))]
    if code == Some(libc::EMLINK) {
        return true;
    }
    #[cfg(target_os = "netbsd")]
    if code == Some(libc::EFTYPE) {
        return true;
    }
    code == Some(libc::ELOOP)
}

/// Takes the lock `operation` (`LOCK_EX` or `LOCK_SH`) without waiting;
/// `false` if another open file holds a lock that conflicts.
fn try_lock(file: &File, operation: libc::c_int) -> io::Result<bool> {
    loop {
        // SAFETY: flock on an fd we own; no memory is involved.
        let result = unsafe { libc::flock(file.as_raw_fd(), operation | libc::LOCK_NB) };
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

/// The error for a file that a live process holds: the pid in it, which
/// its owner wrote before the file took the path.
fn owner_of(path: &Path, file: &File) -> PidFileError {
    let found = match read_all(file) {
        Ok(text) => text,
        Err(error) => return io_error(path, Action::Read, error),
    };
    match parse_pid(&found) {
        Some(pid) => PidFileError::Running {
            path: path.to_owned(),
            pid,
        },
        None => PidFileError::LockedWithoutPid {
            path: path.to_owned(),
            found,
        },
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

/// Removes the file if it is still ours, then closes it (releasing the
/// lock). In a forked child, which holds its parent's file, does nothing.
/// Works relative to the directory held since `create`.
fn release(held: Held) -> Result<(), PidFileError> {
    let path = held.at.path().to_owned();
    let released = remove_if_ours(held);
    unclaim(&path);
    released
}

fn remove_if_ours(held: Held) -> Result<(), PidFileError> {
    let Held { file, at, pid } = held;
    let path = at.path().to_owned();
    if std::process::id() != pid {
        // A forked child: the file and its lock belong to the parent (the
        // lock stays while the parent's descriptor is open).
        return Ok(());
    }
    let (parent, name) = match (at.parent(), at.name()) {
        (Ok(parent), Ok(name)) => (parent, name),
        (Err(error), _) | (_, Err(error)) => return Err(io_error(&path, Action::Open, error)),
    };
    let current = match open_existing_at(parent.as_fd(), name) {
        Ok(current) => current,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) if refused_a_symlink(&error) => {
            return Err(not_ours(path, pid, "a symbolic link".to_owned()));
        }
        Err(error) => return Err(open_error(&path, error)),
    };
    let found = read_all(&current).map_err(|e| io_error(&path, Action::Read, e))?;
    if !is_at_in(&file, parent.as_fd(), name) {
        return Err(not_ours(path, pid, format!("another file ({found:?})")));
    }
    if parse_pid(&found) != Some(pid) {
        return Err(not_ours(path, pid, found));
    }
    // Unlinked while still locked, so a process waiting on the lock finds
    // the path gone (`is_at`) and starts over.
    match rustix::fs::unlinkat(parent.as_fd(), name, AtFlags::empty()) {
        Err(error) if error != Errno::NOENT => Err(io_error(&path, Action::Remove, error.into())),
        _ => Ok(()),
    }
}

/// Opens `name` in the directory `parent` to read and lock it, without
/// following a symlink and without waiting on a FIFO. Never to write it
/// (see [`acquire`]), yet read-write where permitted: NFS emulates
/// `flock` with `fcntl` locks, and an exclusive one there needs a file
/// open for writing.
fn open_existing_at(parent: BorrowedFd<'_>, name: &OsStr) -> io::Result<File> {
    let open = |access| {
        let flags = access | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        rustix::fs::openat(parent, name, flags, Mode::empty())
    };
    let opened = match open(OFlags::RDWR) {
        Err(Errno::ACCESS | Errno::ROFS | Errno::ISDIR | Errno::TXTBSY) => open(OFlags::RDONLY),
        opened => opened,
    };
    Ok(File::from(opened?))
}

/// Whether `name` in `parent` (not followed) is still the file `file` has
/// open.
fn is_at_in(file: &File, parent: BorrowedFd<'_>, name: &OsStr) -> bool {
    match (
        rustix::fs::fstat(file),
        rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW),
    ) {
        (Ok(open), Ok(at_path)) => open.st_dev == at_path.st_dev && open.st_ino == at_path.st_ino,
        _ => false,
    }
}

fn not_ours(path: PathBuf, ours: u32, found: String) -> PidFileError {
    PidFileError::NotOurs { path, ours, found }
}
