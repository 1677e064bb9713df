//! The pid file's new hidden file (`.NAME.XXXXXX.new`): created with a
//! unique name in the directory held open since `create`, removed again
//! unless it is put in place, and put in place with or without replacing
//! what is there. All of it relative to that directory's handle.
//!
//! - **The name**: six letters and digits mixed from our pid, a counter
//!   of this process and the clock. Unlikely to be taken, not secret:
//!   nothing depends on it being unguessable, because creation is
//!   exclusive (`O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC`, never through
//!   a symlink, never into a file already there). A name that is taken
//!   (`EEXIST`) is replaced by the next one, [`NAME_ATTEMPTS`] times, then
//!   creation fails with [`io::ErrorKind::AlreadyExists`] saying so.
//! - **The mode** is the one asked (the pid file's is `0644`) less the
//!   umask, as for any file the program creates: a `077` umask gives
//!   `0600`.
//! - **Dropped before it is put in place**, the file is unlinked relative
//!   to the directory handle (`unlinkat`, which never follows a symlink),
//!   and only while the name still is the file we created: one that
//!   somebody swapped in meanwhile is left alone.
//! - **Put in place without replacing** ([`FreshFile::persist_noclobber`]):
//!   `renameat2(RENAME_NOREPLACE)` on Linux (`renamex_np(RENAME_EXCL)` on
//!   Apple systems); where the kernel or the file system lacks it
//!   (`ENOSYS`, `EINVAL`), and on the other Unixes, a hard link to the
//!   target name (which fails if anything is there) and then the hidden
//!   name unlinked. A target already there is
//!   [`io::ErrorKind::AlreadyExists`] and leaves both files as they were.
//!   If that last unlink fails, the hidden name stays as a second link to
//!   the pid file (a leftover, never a second pid file).
//! - **Put in place over what is there** ([`FreshFile::persist`]):
//!   `renameat`.
//!
//! Written on `rustix` rather than taken from `tempfile`, which does the
//! same by path: the pid file is the one user of it in the runtime, and
//! `tempfile` with the two crates it brings (`fastrand`, `once_cell`)
//! added 3 crates and 0.8 s to a cold debug build of a program with one
//! `#[at_exit]` (0.45 s of it `tempfile` itself, on the build's critical
//! path between `rustix` and this crate), in a build 12.2 s longer than a
//! plain hello where the goal is 8 s. `rustix`, which the feature needs
//! anyway for its work relative to the directory handle, has every call
//! this takes.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

/// How many names are tried before creation gives up: each is new, so
/// only a directory crowded with our own leftovers or someone's
/// deliberate squatting can take them all.
pub(super) const NAME_ATTEMPTS: usize = 100;

/// How many letters the unique part of the name has.
const UNIQUE_LEN: usize = 6;

/// A file created by [`FreshFile::create_in`] under a hidden name, not yet
/// in place: removed when dropped (see the module docs).
#[derive(Debug)]
pub(super) struct FreshFile<'d> {
    file: File,
    name: HiddenName<'d>,
}

/// What [`FreshFile::persist_noclobber`] and [`FreshFile::persist`] give
/// back when the file could not be put in place: the file, still under its
/// hidden name, and why.
#[derive(Debug)]
pub(super) struct NotPersisted<'d> {
    pub(super) file: FreshFile<'d>,
    pub(super) error: io::Error,
}

/// The hidden name of a file not yet in place; unlinks it when dropped
/// while it is still that file.
#[derive(Debug)]
struct HiddenName<'d> {
    dir: BorrowedFd<'d>,
    name: OsString,
    /// Device and inode of the file we created.
    id: (u64, u64),
    /// Moved to its final name: nothing to remove.
    placed: bool,
}

impl<'d> FreshFile<'d> {
    /// Creates `PREFIX` + six unique letters + `SUFFIX` in `dir`,
    /// exclusively, open to read and write, with `mode` less the umask.
    pub(super) fn create_in(
        dir: BorrowedFd<'d>,
        prefix: &OsStr,
        suffix: &OsStr,
        mode: Mode,
    ) -> io::Result<FreshFile<'d>> {
        FreshFile::create_named(dir, mode, || unique_name(prefix, suffix))
    }

    /// [`create_in`](FreshFile::create_in) with the names taken from
    /// `next_name`, one per attempt.
    fn create_named(
        dir: BorrowedFd<'d>,
        mode: Mode,
        mut next_name: impl FnMut() -> OsString,
    ) -> io::Result<FreshFile<'d>> {
        let flags =
            OFlags::RDWR | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let mut last = None;
        for _ in 0..NAME_ATTEMPTS {
            let name = next_name();
            match rustix::fs::openat(dir, &name, flags, mode) {
                Ok(fd) => {
                    let stat = rustix::fs::fstat(&fd)?;
                    return Ok(FreshFile {
                        file: File::from(fd),
                        name: HiddenName {
                            dir,
                            name,
                            id: id_of(&stat),
                            placed: false,
                        },
                    });
                }
                Err(Errno::EXIST) => last = Some(name),
                Err(error) => return Err(error.into()),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{NAME_ATTEMPTS} new names were all taken (the last: {})",
                last.unwrap_or_default().to_string_lossy()
            ),
        ))
    }

    /// The open file.
    pub(super) fn as_file(&self) -> &File {
        &self.file
    }

    /// Gives the file the name `to` in the same directory, unless
    /// something is there already ([`io::ErrorKind::AlreadyExists`], both
    /// left as they were).
    pub(super) fn persist_noclobber(self, to: &OsStr) -> Result<File, NotPersisted<'d>> {
        self.place(|dir, from| rename_no_replace(dir, from, to))
    }

    /// Gives the file the name `to` in the same directory, replacing what
    /// is there.
    pub(super) fn persist(self, to: &OsStr) -> Result<File, NotPersisted<'d>> {
        self.place(|dir, from| rustix::fs::renameat(dir, from, dir, to))
    }

    fn place(
        mut self,
        rename: impl FnOnce(BorrowedFd<'d>, &OsStr) -> Result<(), Errno>,
    ) -> Result<File, NotPersisted<'d>> {
        match rename(self.name.dir, &self.name.name) {
            Ok(()) => {
                self.name.placed = true;
                Ok(self.file)
            }
            Err(error) => Err(NotPersisted {
                file: self,
                error: error.into(),
            }),
        }
    }
}

impl Drop for HiddenName<'_> {
    fn drop(&mut self) {
        if self.placed {
            return;
        }
        let now = rustix::fs::statat(self.dir, &self.name, AtFlags::SYMLINK_NOFOLLOW);
        if now.is_ok_and(|stat| id_of(&stat) == self.id) {
            // Nothing to tell anyone if it fails: at worst a hidden file is
            // left, as when the process is killed.
            let _ = rustix::fs::unlinkat(self.dir, &self.name, AtFlags::empty());
        }
    }
}

#[allow(
    clippy::unnecessary_cast,
    clippy::useless_conversion,
    reason = "st_dev and st_ino differ in type and sign between Unixes"
)]
fn id_of(stat: &rustix::fs::Stat) -> (u64, u64) {
    (stat.st_dev as u64, stat.st_ino as u64)
}

/// `PREFIX` + [`UNIQUE_LEN`] letters and digits + `SUFFIX`, new at each
/// call in this process.
fn unique_name(prefix: &OsStr, suffix: &OsStr) -> OsString {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the low bits of the nanoseconds are the ones that vary"
    )]
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64);
    let seed = mix(mix((u64::from(std::process::id()) << 32) | u64::from(count)) ^ nanos);
    let mut name = OsString::from(prefix);
    name.push(unique_letters(seed));
    name.push(suffix);
    name
}

/// The six letters and digits for `seed`.
fn unique_letters(mut seed: u64) -> String {
    const LETTERS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..UNIQUE_LEN)
        .map(|_| {
            #[allow(clippy::cast_possible_truncation, reason = "the remainder is below 62")]
            let letter = LETTERS[(seed % 62) as usize];
            seed /= 62;
            char::from(letter)
        })
        .collect()
}

/// splitmix64's finaliser: every bit of the input moves about half the
/// output's, so neighbouring counters and pids give unrelated names.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `from` renamed to `to` in `dir`, never replacing what is at `to`.
fn rename_no_replace(dir: BorrowedFd<'_>, from: &OsStr, to: &OsStr) -> Result<(), Errno> {
    match rename_no_replace_natively(dir, from, to) {
        Some(done) => done,
        None => link_then_unlink(dir, from, to),
    }
}

/// The kernel's own no-replace rename, where it is had; `None` where it
/// is not (this system, this kernel, or this file system).
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn rename_no_replace_natively(
    dir: BorrowedFd<'_>,
    from: &OsStr,
    to: &OsStr,
) -> Option<Result<(), Errno>> {
    use rustix::fs::RenameFlags;
    use std::sync::atomic::AtomicBool;

    // A kernel without the call says so every time: ask once.
    static MISSING: AtomicBool = AtomicBool::new(false);
    if cfg!(cleanup_runtime_portable) || MISSING.load(Ordering::Relaxed) {
        return None;
    }
    match rustix::fs::renameat_with(dir, from, dir, to, RenameFlags::NOREPLACE) {
        Err(Errno::NOSYS) => {
            MISSING.store(true, Ordering::Relaxed);
            None
        }
        // This file system does not take the flag.
        Err(Errno::INVAL) => None,
        done => Some(done),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn rename_no_replace_natively(
    _dir: BorrowedFd<'_>,
    _from: &OsStr,
    _to: &OsStr,
) -> Option<Result<(), Errno>> {
    None
}

/// A hard link at `to` (refused if anything is there), then `from`
/// unlinked. `linkat` without `AT_SYMLINK_FOLLOW` never follows `from`.
fn link_then_unlink(dir: BorrowedFd<'_>, from: &OsStr, to: &OsStr) -> Result<(), Errno> {
    rustix::fs::linkat(dir, from, dir, to, AtFlags::empty())?;
    // In place already; a failure here leaves a second name for it (see
    // the module docs).
    let _ = rustix::fs::unlinkat(dir, from, AtFlags::empty());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{FreshFile, NAME_ATTEMPTS, link_then_unlink, unique_name};
    use rustix::fs::{Mode, OFlags};
    use std::ffi::{OsStr, OsString};
    use std::io::{self, Write};
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn open_dir(path: &Path) -> OwnedFd {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        rustix::fs::open(path, flags, Mode::empty()).unwrap()
    }

    fn names_in(path: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn mode_644() -> Mode {
        Mode::from_bits_truncate(0o644)
    }

    #[test]
    fn the_name_is_hidden_with_six_letters_and_new_each_time() {
        let first = unique_name(OsStr::new(".app.pid."), OsStr::new(".new"));
        let second = unique_name(OsStr::new(".app.pid."), OsStr::new(".new"));
        assert_ne!(first, second);
        for name in [first, second] {
            let name = name.to_str().unwrap();
            let unique = name
                .strip_prefix(".app.pid.")
                .and_then(|rest| rest.strip_suffix(".new"))
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(unique.len(), 6, "{name}");
            assert!(unique.bytes().all(|b| b.is_ascii_alphanumeric()), "{name}");
        }
    }

    #[test]
    fn a_name_that_is_taken_is_replaced_by_the_next_and_left_alone() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        let names = [".a.1.new", ".a.2.new", ".a.3.new", ".a.4.new"];
        std::fs::write(scratch.path().join(names[0]), "first squatter").unwrap();
        std::os::unix::fs::symlink("elsewhere", scratch.path().join(names[1])).unwrap();
        std::fs::write(scratch.path().join(names[2]), "third squatter").unwrap();
        let mut given = names.iter().map(OsString::from);
        let mut fresh =
            FreshFile::create_named(dir.as_fd(), mode_644(), || given.next().unwrap()).unwrap();
        (&fresh.file).write_all(b"ours").unwrap();
        let read = |name: &str| std::fs::read_to_string(scratch.path().join(name)).unwrap();
        assert_eq!(read(names[3]), "ours");
        assert_eq!(read(names[0]), "first squatter");
        assert_eq!(read(names[2]), "third squatter");
        assert_eq!(
            std::fs::read_link(scratch.path().join(names[1])).unwrap(),
            Path::new("elsewhere")
        );
        assert!(!scratch.path().join("elsewhere").exists(), "never followed");
        fresh.name.placed = true; // keep it for the listing below
        drop(fresh);
        assert_eq!(names_in(scratch.path()).len(), 4);
    }

    #[test]
    fn names_all_taken_give_a_clear_error_after_a_bounded_number_of_tries() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        std::fs::write(scratch.path().join(".a.x.new"), "taken").unwrap();
        let mut tries = 0;
        let error = FreshFile::create_named(dir.as_fd(), mode_644(), || {
            tries += 1;
            OsString::from(".a.x.new")
        })
        .unwrap_err();
        assert_eq!(tries, NAME_ATTEMPTS);
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert!(
            error.to_string().contains("were all taken") && error.to_string().contains(".a.x.new"),
            "{error}"
        );
        assert_eq!(names_in(scratch.path()), [".a.x.new"]);
    }

    #[test]
    fn a_file_dropped_before_it_is_in_place_is_removed() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        let fresh = FreshFile::create_in(
            dir.as_fd(),
            OsStr::new(".app.pid."),
            OsStr::new(".new"),
            mode_644(),
        )
        .unwrap();
        assert_eq!(names_in(scratch.path()).len(), 1);
        drop(fresh);
        assert!(names_in(scratch.path()).is_empty());
    }

    #[test]
    fn a_file_swapped_in_under_the_hidden_name_is_not_removed_on_drop() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        let fresh = FreshFile::create_named(dir.as_fd(), mode_644(), || ".a.1.new".into()).unwrap();
        let hidden = scratch.path().join(".a.1.new");
        std::fs::remove_file(&hidden).unwrap();
        std::fs::write(&hidden, "someone else's").unwrap();
        drop(fresh);
        assert_eq!(std::fs::read_to_string(&hidden).unwrap(), "someone else's");
    }

    #[test]
    fn persist_noclobber_refuses_a_target_that_is_there_and_leaves_both() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        let target = scratch.path().join("app.pid");
        std::fs::write(&target, "theirs").unwrap();
        let fresh = FreshFile::create_named(dir.as_fd(), mode_644(), || ".a.1.new".into()).unwrap();
        (&fresh.file).write_all(b"ours").unwrap();
        let refused = fresh.persist_noclobber(OsStr::new("app.pid")).unwrap_err();
        assert_eq!(refused.error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");
        let hidden = scratch.path().join(".a.1.new");
        assert_eq!(std::fs::read_to_string(&hidden).unwrap(), "ours");

        // Given back whole: it can still be put in place over the target.
        let file = refused.file.persist(OsStr::new("app.pid")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "ours");
        assert!(!hidden.exists());
        drop(file);
        assert_eq!(names_in(scratch.path()), ["app.pid"]);
    }

    #[test]
    fn persist_noclobber_moves_the_file_where_nothing_is() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        let fresh = FreshFile::create_named(dir.as_fd(), mode_644(), || ".a.1.new".into()).unwrap();
        let file = fresh.persist_noclobber(OsStr::new("app.pid")).unwrap();
        (&file).write_all(b"ours").unwrap();
        drop(file);
        assert_eq!(names_in(scratch.path()), ["app.pid"]);
        assert_eq!(
            std::fs::read_to_string(scratch.path().join("app.pid")).unwrap(),
            "ours"
        );
    }

    /// The way taken where the kernel has no no-replace rename (and on the
    /// other Unixes).
    #[test]
    fn the_link_fallback_refuses_a_target_that_is_there_and_leaves_both() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = open_dir(scratch.path());
        std::fs::write(scratch.path().join("from"), "ours").unwrap();
        std::fs::write(scratch.path().join("to"), "theirs").unwrap();
        let refused = link_then_unlink(dir.as_fd(), OsStr::new("from"), OsStr::new("to"));
        assert_eq!(
            io::Error::from(refused.unwrap_err()).kind(),
            io::ErrorKind::AlreadyExists
        );
        let read = |name: &str| std::fs::read_to_string(scratch.path().join(name)).unwrap();
        assert_eq!((read("from"), read("to")), ("ours".into(), "theirs".into()));

        std::fs::remove_file(scratch.path().join("to")).unwrap();
        link_then_unlink(dir.as_fd(), OsStr::new("from"), OsStr::new("to")).unwrap();
        assert_eq!(names_in(scratch.path()), ["to"]);
        assert_eq!(read("to"), "ours");
    }

    /// Set in the copy of this test binary that the mode test runs.
    const UMASK_CHILD: &str = "CLEANUP_FRESH_FILE_UMASK_CHILD";

    /// The umask is the process's: changed in a copy of this test binary
    /// running only this test, never under the other tests' threads.
    #[test]
    fn the_mode_is_0644_less_the_umask() {
        if let Some(umask) = std::env::var_os(UMASK_CHILD) {
            let umask = u32::from_str_radix(umask.to_str().unwrap(), 8).unwrap();
            // SAFETY: umask has no preconditions; this process runs this
            // test alone (`--test-threads=1`, one test selected).
            unsafe { libc::umask(umask as libc::mode_t) };
            let scratch = tempfile::tempdir().unwrap();
            let dir = open_dir(scratch.path());
            let fresh =
                FreshFile::create_named(dir.as_fd(), mode_644(), || ".a.1.new".into()).unwrap();
            let mode = fresh.file.metadata().unwrap().permissions().mode() & 0o7777;
            assert_eq!(mode, 0o644 & !umask, "umask {umask:03o}");
            return;
        }
        let name = "helpers::pidfile::fresh_file::tests::the_mode_is_0644_less_the_umask";
        for umask in ["077", "022", "000"] {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", name, "--test-threads=1", "--nocapture"])
                .env(UMASK_CHILD, umask)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "umask {umask}: {}\n{stdout}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
