//! A path pinned down when it is registered: made absolute, split into its
//! parent directory and its final component, and (Unix) the parent held
//! open, so that what is removed at exit is what the path named then.
//!
//! - **A relative path** means what it meant at registration: it is joined
//!   to the working directory of then (a later `chdir` changes nothing).
//! - **A trailing `/` or `/.`** is dropped: the final component is the
//!   name itself, so a tracked `link/` is the symlink `link`, never the
//!   directory it points to.
//! - **The parent directory** is opened at registration and kept (Unix):
//!   removal works relative to that handle (`openat`, `unlinkat`), so a
//!   parent renamed or swapped for a symlink afterwards cannot redirect
//!   it. The parent's own path is followed when it is opened, symlinks
//!   and all (a `TMPDIR` that is a symlink, as `/tmp` is on macOS, is
//!   what the program meant), once: from then on it cannot change. A parent that does not exist yet at registration (`track` of a
//!   path the program makes later) is opened by its absolute path when
//!   the path is removed. One handle is shared by every path registered in
//!   the same directory (the system temp dir, typically), so tracking many
//!   paths does not cost one descriptor each.
//! - **Windows** keeps the absolute path only (no handle): the path is
//!   removed by path there.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Component, Path, PathBuf};

/// A path as registered; see the module docs.
#[derive(Debug)]
pub(crate) struct Anchored {
    /// The absolute path, normalised: for messages and report names.
    path: PathBuf,
    /// The final component; `None` for a path that names no entry of a
    /// directory (`/`, or one ending in `..`).
    name: Option<OsString>,
    #[cfg(unix)]
    parent: Parent,
}

impl Anchored {
    /// Pins `path` down now (see the module docs). Never fails: a path
    /// that cannot be pinned is reported when it is removed.
    pub(crate) fn new(path: &Path) -> Anchored {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let name = match absolute.components().next_back() {
            Some(Component::Normal(name)) => Some(name.to_owned()),
            _ => None,
        };
        let parent_path = match (&name, absolute.parent()) {
            (Some(_), Some(parent)) => parent.to_owned(),
            _ => absolute.clone(),
        };
        let path = match &name {
            Some(name) => parent_path.join(name),
            None => absolute,
        };
        #[cfg(windows)]
        let _ = parent_path;
        Anchored {
            path,
            name,
            #[cfg(unix)]
            parent: Parent::open(parent_path),
        }
    }

    /// The absolute path, without a trailing `/` or `/.`.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The final component, or an error naming the path if it has none.
    pub(crate) fn name(&self) -> io::Result<&OsStr> {
        self.name.as_deref().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path names no entry of a directory (it is `/` or ends in `..`)",
            )
        })
    }

    /// Removes what the path names now: a file or symlink (itself), or a
    /// directory with everything in it (see `remove_tree`). A path that is
    /// already gone is fine.
    #[cfg(feature = "temp")]
    pub(crate) fn remove(&self) -> io::Result<()> {
        let name = self.name()?;
        #[cfg(unix)]
        {
            let parent = match self.parent() {
                Ok(parent) => parent,
                Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
                Err(error) => return Err(error),
            };
            crate::helpers::remove_tree::remove(std::os::fd::AsFd::as_fd(&parent), name, &self.path)
        }
        #[cfg(windows)]
        {
            let _ = name;
            crate::helpers::remove_tree::remove(&self.path)
        }
    }
}

#[cfg(unix)]
pub(crate) use unix::Parent;

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex, PoisonError, Weak};

    use rustix::fs::{Mode, OFlags};

    use super::Anchored;

    /// The parent directory: held open since registration, or (when it did
    /// not exist then) its absolute path, opened at removal.
    #[derive(Debug)]
    pub(crate) enum Parent {
        Held(Arc<OwnedFd>),
        Later(PathBuf),
    }

    /// An open parent directory, held or opened for the occasion.
    pub(crate) enum ParentFd {
        Held(Arc<OwnedFd>),
        Opened(OwnedFd),
    }

    impl AsFd for ParentFd {
        fn as_fd(&self) -> BorrowedFd<'_> {
            match self {
                ParentFd::Held(fd) => fd.as_fd(),
                ParentFd::Opened(fd) => fd.as_fd(),
            }
        }
    }

    impl Parent {
        pub(super) fn open(path: PathBuf) -> Parent {
            match shared(&path) {
                Ok(fd) => Parent::Held(fd),
                Err(_) => Parent::Later(path),
            }
        }
    }

    impl Anchored {
        /// The parent directory, open.
        pub(crate) fn parent(&self) -> io::Result<ParentFd> {
            match &self.parent {
                Parent::Held(fd) => Ok(ParentFd::Held(Arc::clone(fd))),
                Parent::Later(path) => open_dir(path).map(ParentFd::Opened),
            }
        }
    }

    fn open_dir(path: &Path) -> io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        Ok(rustix::fs::open(path, flags, Mode::empty())?)
    }

    /// The directories held open, by the path they were opened at; each
    /// is reused while that path still names it.
    static OPEN: Mutex<Vec<(PathBuf, Weak<OwnedFd>)>> = Mutex::new(Vec::new());

    /// `path` opened as a directory, shared with every registration in it.
    fn shared(path: &Path) -> io::Result<Arc<OwnedFd>> {
        let now = rustix::fs::stat(path)?;
        let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        open.retain(|(_, fd)| fd.strong_count() > 0);
        let same = open
            .iter()
            .filter(|(at, _)| at == path)
            .find_map(|(_, fd)| {
                let fd = fd.upgrade()?;
                let held = rustix::fs::fstat(&*fd).ok()?;
                (held.st_dev == now.st_dev && held.st_ino == now.st_ino).then_some(fd)
            });
        if let Some(fd) = same {
            return Ok(fd);
        }
        let fd = Arc::new(open_dir(path)?);
        open.push((path.to_owned(), Arc::downgrade(&fd)));
        Ok(fd)
    }
}
