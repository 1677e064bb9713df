//! Removing a tracked path (Unix): relative to directory handles, never
//! through a symlink, never into another file system, against a program
//! still writing, and through permissions we may restore.
//!
//! [`remove`] takes the parent directory (held since registration, see
//! `anchored`) and the final component:
//!
//! 1. `fstatat(AT_SYMLINK_NOFOLLOW)` relative to the parent: a file or a
//!    symlink is unlinked itself (`unlinkat`), whatever its name ends with.
//! 2. A directory is opened with `O_DIRECTORY | O_NOFOLLOW` and renamed
//!    away first, to a hidden unique name in the same parent
//!    (`renameat`, no replacing): a program still writing by path into it
//!    then gets `ENOENT` instead of refilling it. It is renamed back if it
//!    cannot be removed whole.
//! 3. The tree is walked with a stack of directory handles, not by path
//!    and not by recursion (a 10,000-level chain needs no deep stack; it
//!    needs one descriptor a level): each subdirectory is opened with
//!    `openat(O_DIRECTORY | O_NOFOLLOW)` relative to its parent, entries
//!    are removed with `unlinkat` relative to it, as std's
//!    `remove_dir_all` does below its root.
//! 4. **Mounts are not crossed** (`rm --one-file-system`): a subdirectory
//!    on another device, or on Linux another mount (`statx`'s mount id,
//!    which also tells a bind mount of the same file system apart), is
//!    left standing, and the error names it. Elsewhere a bind (null) mount
//!    of the same file system is not told apart: its device number is the
//!    same.
//! 5. **Permissions**: where removing fails with `EACCES`/`EPERM` in a
//!    directory we own, u+rwx is added to it (`fchmod` on its handle) and
//!    the removal tried again; a `000` subdirectory we own, which cannot
//!    even be opened, gets it through `fchmodat` relative to its parent,
//!    but only where nobody else can swap the entry meanwhile (the parent
//!    is writable by us alone, or sticky).
//! 6. **A writer** that adds entries between the walk and `rmdir`
//!    (`ENOTEMPTY`): the directory is walked again, a bounded number of
//!    times; and a path made again at the tracked name while it was being
//!    removed is removed again, a bounded number of times.
//!
//! Written by hand on `rustix` (feature `temp`; `openat`, `unlinkat`,
//! `statx` and `Dir` relative to a directory handle, which std does not
//! offer): no crate found removes a tree without crossing into another
//! file system, and none restores permissions it may. rustix brings
//! `bitflags` and, on Linux, `linux-raw-sys`: 3 crates, none of them a
//! proc-macro.

use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};
use rustix::io::Errno;

/// How often a path made again at the tracked name during its removal is
/// removed again.
const ROUNDS: usize = 3;
/// How often one directory is walked again after `rmdir` found it refilled.
const RESCANS: usize = 100;

/// Removes `name` in `parent` (see the module docs); `shown` is its path,
/// for messages. A path already gone is fine.
pub(crate) fn remove(parent: BorrowedFd<'_>, name: &OsStr, shown: &Path) -> io::Result<()> {
    let mut removal = Removal {
        shown,
        kept: Vec::new(),
        error: None,
    };
    for _ in 0..ROUNDS {
        let stat = match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => stat,
            Err(Errno::NOENT) => return removal.finish(),
            Err(error) => return Err(error.into()),
        };
        if FileType::from_raw_mode(stat.st_mode) == FileType::Directory {
            removal.directory(parent, name);
        } else {
            match rustix::fs::unlinkat(parent, name, AtFlags::empty()) {
                Ok(()) | Err(Errno::NOENT) => {}
                Err(error) => return Err(error.into()),
            }
        }
        if removal.failed() {
            return removal.finish();
        }
    }
    match rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
        Err(Errno::NOENT) => removal.finish(),
        _ => Err(io::Error::other(
            "it was made again each time it was removed",
        )),
    }
}

/// What one removal left behind.
struct Removal<'a> {
    shown: &'a Path,
    /// Mount points left standing.
    kept: Vec<PathBuf>,
    /// The first error, with the path it happened at.
    error: Option<(PathBuf, io::Error)>,
}

/// One directory being emptied, on the walk's stack.
struct Frame {
    dir: Dir,
    /// Its name in the directory below it on the stack (`None`: the root).
    name: Option<CString>,
    /// Its path relative to the root, for messages.
    relative: PathBuf,
    /// How often it was walked again.
    rescans: usize,
    /// Something in it stays (a mount, an error): it cannot be removed.
    blocked: bool,
}

impl Removal<'_> {
    fn failed(&self) -> bool {
        !self.kept.is_empty() || self.error.is_some()
    }

    fn record(&mut self, relative: &Path, error: impl Into<io::Error>) {
        if self.error.is_none() {
            self.error = Some((self.shown.join(relative), error.into()));
        }
    }

    fn finish(self) -> io::Result<()> {
        let mut parts = Vec::new();
        if !self.kept.is_empty() {
            let points: Vec<String> = self.kept.iter().map(|p| p.display().to_string()).collect();
            parts.push(format!(
                "left the mount point{} {} in place (removal never crosses into another file system)",
                if points.len() == 1 { "" } else { "s" },
                points.join(", ")
            ));
        }
        if let Some((path, error)) = self.error {
            if path == self.shown {
                parts.push(error.to_string());
            } else {
                parts.push(format!("{}: {error}", path.display()));
            }
        }
        if parts.is_empty() {
            Ok(())
        } else {
            Err(io::Error::other(parts.join("; ")))
        }
    }

    /// Removes the directory `name` in `parent`: away, emptied, removed.
    fn directory(&mut self, parent: BorrowedFd<'_>, name: &OsStr) {
        let root = match open_dir_granting(parent, name) {
            Ok(root) => root,
            // No longer a directory, or gone: the next round looks again.
            Err(Errno::NOENT | Errno::LOOP | Errno::NOTDIR) => return,
            Err(error) => return self.record(Path::new(""), error),
        };
        let away = rename_away(parent, name, &root);
        let at: &OsStr = away.as_deref().unwrap_or(name);
        let mount = match Mount::of(root.as_fd()) {
            Ok(mount) => mount,
            Err(error) => return self.record(Path::new(""), error),
        };
        let mut root = Some(root);
        for rescan in 0..=RESCANS {
            let dir = match root
                .take()
                .map_or_else(|| open_dir_granting(parent, at), Ok)
            {
                Ok(dir) => dir,
                Err(Errno::NOENT) => break,
                Err(error) => {
                    self.record(Path::new(""), error);
                    break;
                }
            };
            if !self.empty(dir, mount) {
                break;
            }
            match rustix::fs::unlinkat(parent, at, AtFlags::REMOVEDIR) {
                Ok(()) | Err(Errno::NOENT) => break,
                Err(Errno::NOTEMPTY | Errno::EXIST) if rescan < RESCANS => {}
                Err(error) => {
                    self.record(Path::new(""), error);
                    break;
                }
            }
        }
        if let Some(away) = away.filter(|_| self.failed()) {
            // Put what stays back where the program expects it.
            let _ = rename_no_replace(parent, &away, name);
        }
    }

    /// Empties the directory `root` (not removing it); whether it came out
    /// empty as far as this walk knows.
    fn empty(&mut self, root: OwnedFd, mount: Mount) -> bool {
        let mut stack = match Dir::new(root) {
            Ok(dir) => vec![Frame {
                dir,
                name: None,
                relative: PathBuf::new(),
                rescans: 0,
                blocked: false,
            }],
            Err(error) => {
                self.record(Path::new(""), error);
                return false;
            }
        };
        loop {
            let Some(top) = stack.last_mut() else {
                unreachable!("the root is popped below")
            };
            let entry = match top.dir.read() {
                Some(Ok(entry)) => entry,
                Some(Err(error)) => {
                    let relative = top.relative.clone();
                    top.blocked = true;
                    self.record(&relative, error);
                    // Treated as the end of the directory below.
                    continue_after_end(&mut stack, self);
                    if stack.is_empty() {
                        return false;
                    }
                    continue;
                }
                None => {
                    if stack.len() == 1 {
                        return !stack[0].blocked;
                    }
                    continue_after_end(&mut stack, self);
                    continue;
                }
            };
            let name = entry.file_name();
            if name == c"." || name == c".." {
                continue;
            }
            let name = name.to_owned();
            let Ok(fd) = top.dir.fd() else {
                unreachable!("rustix's Dir always has its descriptor")
            };
            let is_dir = match entry.file_type() {
                FileType::Directory => true,
                FileType::Unknown => is_directory(fd, &name),
                _ => false,
            };
            if !is_dir {
                let relative = top.relative.join(OsStr::from_bytes(name.to_bytes()));
                match unlink(fd, &name) {
                    Ok(()) => {}
                    // Became a directory meanwhile: the next walk gets it.
                    Err(Errno::ISDIR) => {}
                    Err(error) => {
                        top.blocked = true;
                        self.record(&relative, error);
                    }
                }
                continue;
            }
            let relative = top.relative.join(OsStr::from_bytes(name.to_bytes()));
            let child = match open_dir_granting(fd, OsStr::from_bytes(name.to_bytes())) {
                Ok(child) => child,
                Err(Errno::NOENT) => continue,
                // Swapped for a file or a symlink meanwhile: unlinked itself.
                Err(Errno::LOOP | Errno::NOTDIR) => {
                    if let Err(error) = unlink(fd, &name) {
                        top.blocked = true;
                        self.record(&relative, error);
                    }
                    continue;
                }
                Err(error) => {
                    top.blocked = true;
                    self.record(&relative, error);
                    continue;
                }
            };
            match Mount::of(child.as_fd()) {
                Ok(child_mount) if child_mount == mount => {}
                Ok(_) => {
                    top.blocked = true;
                    self.kept.push(self.shown.join(&relative));
                    continue;
                }
                Err(error) => {
                    top.blocked = true;
                    self.record(&relative, error);
                    continue;
                }
            }
            match Dir::new(child) {
                Ok(dir) => stack.push(Frame {
                    dir,
                    name: Some(name),
                    relative,
                    rescans: 0,
                    blocked: false,
                }),
                Err(error) => {
                    top.blocked = true;
                    self.record(&relative, error);
                }
            }
        }
    }
}

/// The top of the stack (not the root) was read to its end: remove it
/// from its parent, or walk it again if it was refilled meanwhile.
fn continue_after_end(stack: &mut Vec<Frame>, removal: &mut Removal<'_>) {
    let Some(done) = stack.pop() else { return };
    let Some(parent) = stack.last_mut() else {
        return;
    };
    let Some(name) = done.name else { return };
    if done.blocked {
        parent.blocked = true;
        return;
    }
    let Ok(fd) = parent.dir.fd() else { return };
    let removed = match rustix::fs::unlinkat(fd, &name, AtFlags::REMOVEDIR) {
        Err(Errno::ACCESS | Errno::PERM) if grant(fd) => {
            rustix::fs::unlinkat(fd, &name, AtFlags::REMOVEDIR)
        }
        other => other,
    };
    match removed {
        Ok(()) | Err(Errno::NOENT) => {}
        Err(Errno::NOTEMPTY | Errno::EXIST) if done.rescans < RESCANS => {
            match open_dir(fd, name.to_bytes()).map(Dir::new) {
                Ok(Ok(dir)) => stack.push(Frame {
                    dir,
                    name: Some(name),
                    relative: done.relative,
                    rescans: done.rescans + 1,
                    blocked: false,
                }),
                Ok(Err(error)) | Err(error) => {
                    parent.blocked = true;
                    removal.record(&done.relative, error);
                }
            }
        }
        Err(error) => {
            parent.blocked = true;
            removal.record(&done.relative, error);
        }
    }
}

/// Opens the directory `name` in `parent` without following a symlink.
fn open_dir(parent: BorrowedFd<'_>, name: &[u8]) -> Result<OwnedFd, Errno> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    rustix::fs::openat(parent, OsStr::from_bytes(name), flags, Mode::empty())
}

/// [`open_dir`], and where that is refused, u+rwx added to the directory
/// if we own it and nobody else can swap it meanwhile, and again.
fn open_dir_granting(parent: BorrowedFd<'_>, name: &OsStr) -> Result<OwnedFd, Errno> {
    match open_dir(parent, name.as_bytes()) {
        Err(Errno::ACCESS | Errno::PERM) if grant_at(parent, name) => {
            open_dir(parent, name.as_bytes())
        }
        other => other,
    }
}

fn is_directory(parent: BorrowedFd<'_>, name: &CStr) -> bool {
    rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW)
        .is_ok_and(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::Directory)
}

/// Unlinks the non-directory `name` in `dir`, adding u+rwx to `dir` (ours)
/// if it refuses. Gone already is fine.
fn unlink(dir: BorrowedFd<'_>, name: &CStr) -> Result<(), Errno> {
    let unlinked = match rustix::fs::unlinkat(dir, name, AtFlags::empty()) {
        Err(Errno::ACCESS | Errno::PERM) if grant(dir) => {
            rustix::fs::unlinkat(dir, name, AtFlags::empty())
        }
        other => other,
    };
    match unlinked {
        Err(Errno::NOENT) => Ok(()),
        other => other,
    }
}

/// Owner read, write and search.
const OWNER_ALL: u32 = 0o700;

fn effective_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Adds u+rwx to the directory open as `dir`, if we own it and it lacks
/// some; whether it changed. Through the handle: it cannot be swapped.
fn grant(dir: BorrowedFd<'_>) -> bool {
    let Ok(stat) = rustix::fs::fstat(dir) else {
        return false;
    };
    let mode = mode_of(&stat);
    if stat.st_uid != effective_uid() || mode & OWNER_ALL == OWNER_ALL {
        return false;
    }
    rustix::fs::fchmod(dir, with_owner_all(mode)).is_ok()
}

/// Adds u+rwx to the directory `name` in `parent`, which cannot be opened
/// yet: only if we own it, and `parent` is writable by its owner alone or
/// sticky, so that nobody else can swap `name` for a symlink between the
/// look and the change (`fchmodat` follows a symlink).
fn grant_at(parent: BorrowedFd<'_>, name: &OsStr) -> bool {
    const STICKY: u32 = 0o1000;
    let (Ok(outer), Ok(stat)) = (
        rustix::fs::fstat(parent),
        rustix::fs::statat(parent, name, AtFlags::SYMLINK_NOFOLLOW),
    ) else {
        return false;
    };
    let outer_mode = mode_of(&outer);
    let mode = mode_of(&stat);
    let guarded = outer_mode & 0o022 == 0 || outer_mode & STICKY != 0;
    let ours = stat.st_uid == effective_uid()
        && FileType::from_raw_mode(stat.st_mode) == FileType::Directory;
    if !guarded || !ours || mode & OWNER_ALL == OWNER_ALL {
        return false;
    }
    rustix::fs::chmodat(parent, name, with_owner_all(mode), AtFlags::empty()).is_ok()
}

#[allow(
    clippy::useless_conversion,
    reason = "st_mode is u32 on Linux, u16 on Apple and some BSDs"
)]
fn mode_of(stat: &rustix::fs::Stat) -> u32 {
    u32::from(stat.st_mode)
}

/// `mode`'s permission bits with u+rwx added.
#[allow(
    clippy::unnecessary_cast,
    reason = "Mode's raw type is u32 on Linux, u16 on Apple and some BSDs"
)]
fn with_owner_all(mode: u32) -> Mode {
    Mode::from_bits_truncate(((mode | OWNER_ALL) & 0o7777) as rustix::fs::RawMode)
}

/// Renames the directory `name` in `parent`, open as `dir`, to a hidden
/// unique name beside it; that name, or `None` where it stays (the rename
/// is refused, or what it moved is not `dir`, which is then put back).
fn rename_away(parent: BorrowedFd<'_>, name: &OsStr, dir: &OwnedFd) -> Option<std::ffi::OsString> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let away = std::ffi::OsString::from(format!(
        ".cleanup-removing-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    rename_no_replace(parent, name, &away).ok()?;
    let same = match (
        rustix::fs::fstat(dir),
        rustix::fs::statat(parent, &away, AtFlags::SYMLINK_NOFOLLOW),
    ) {
        (Ok(open), Ok(moved)) => open.st_dev == moved.st_dev && open.st_ino == moved.st_ino,
        _ => false,
    };
    if same {
        return Some(away);
    }
    let _ = rename_no_replace(parent, &away, name);
    None
}

/// `renameat` that never replaces what is at `to`.
fn rename_no_replace(parent: BorrowedFd<'_>, from: &OsStr, to: &OsStr) -> Result<(), Errno> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        use rustix::fs::RenameFlags;
        rustix::fs::renameat_with(parent, from, parent, to, RenameFlags::NOREPLACE)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    {
        match rustix::fs::statat(parent, to, AtFlags::SYMLINK_NOFOLLOW) {
            Err(Errno::NOENT) => rustix::fs::renameat(parent, from, parent, to),
            Ok(_) => Err(Errno::EXIST),
            Err(error) => Err(error),
        }
    }
}

/// Which mount a directory is on: its device, and on Linux its mount id
/// (which tells a bind mount of the same file system apart).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Mount {
    device: u64,
    id: Option<u64>,
}

impl Mount {
    #[allow(
        clippy::unnecessary_cast,
        reason = "st_dev is u64 on Linux, i32 on Apple and some BSDs"
    )]
    fn of(dir: BorrowedFd<'_>) -> io::Result<Mount> {
        let stat = rustix::fs::fstat(dir)?;
        Ok(Mount {
            device: stat.st_dev as u64,
            id: mount_id(dir),
        })
    }
}

cfg_linux_native! {
    /// The mount id from `statx` (Linux 5.8 and later), if the kernel gives
    /// one.
    fn mount_id(dir: BorrowedFd<'_>) -> Option<u64> {
        use rustix::fs::StatxFlags;
        let statx = rustix::fs::statx(dir, c"", AtFlags::EMPTY_PATH, StatxFlags::MNT_ID).ok()?;
        (statx.stx_mask & StatxFlags::MNT_ID.bits() != 0).then_some(statx.stx_mnt_id)
    }
}

cfg_not_linux_native! {
    /// Elsewhere (and on Linux's portable path): the device number only.
    fn mount_id(_dir: BorrowedFd<'_>) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::remove;
    use rustix::fs::{Mode, OFlags};
    use std::ffi::OsStr;

    #[test]
    fn a_deep_chain_is_removed_without_recursion_on_a_small_stack() {
        let scratch = tempfile::tempdir().unwrap();
        let root = scratch.path().join("chain");
        std::fs::create_dir(&root).unwrap();
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let mut dir = rustix::fs::open(&root, flags, Mode::empty()).unwrap();
        for _ in 0..3000 {
            rustix::fs::mkdirat(&dir, "d", Mode::from_bits_truncate(0o700)).unwrap();
            dir = rustix::fs::openat(&dir, "d", flags, Mode::empty()).unwrap();
        }
        rustix::fs::openat(&dir, "leaf", OFlags::CREATE | OFlags::WRONLY, Mode::RUSR).unwrap();
        drop(dir);
        let parent = rustix::fs::open(scratch.path(), flags, Mode::empty()).unwrap();
        let shown = root.clone();
        let removed = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                remove(
                    std::os::fd::AsFd::as_fd(&parent),
                    OsStr::new("chain"),
                    &shown,
                )
            })
            .unwrap()
            .join()
            .unwrap();
        removed.unwrap();
        assert!(!root.exists());
        assert_eq!(
            std::fs::read_dir(scratch.path()).unwrap().count(),
            0,
            "nothing hidden left"
        );
    }
}
