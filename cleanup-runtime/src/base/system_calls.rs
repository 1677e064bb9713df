//! The plain system calls the runtime makes outside signal handling (see
//! `signal_calls` for those): the process id, yielding the processor, a
//! pipe, and the report file's `fsync`, rename and unlink. On Linux they
//! are raw system calls through `syscall`, which std itself already
//! imports; elsewhere the libc functions (and std's file calls).
//!
//! Why: Rust links binaries with immediate binding, so the dynamic linker
//! resolves every imported symbol when the process starts, whether or not
//! it is ever called — about 550 instructions each (callgrind, glibc
//! 2.41), paid by every run of every program that declares a cleanup, and
//! a program that never writes a report file or forks would pay for
//! `rename` and `getpid` all the same. These six were a tenth of what one
//! `#[at_exit]` added to a hello program's start.
//!
//! Async-signal-safe: [`process_id`] is called from the signal handler.

use std::fs::File;
use std::io;
use std::path::Path;

cfg_linux_native! {
    use std::ffi::CString;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;

    /// The calling process's id, as `getpid` returns it.
    pub(crate) fn process_id() -> libc::pid_t {
        // SAFETY: getpid has no preconditions, cannot fail and is
        // async-signal-safe.
        let pid = unsafe { libc::syscall(libc::SYS_getpid) };
        pid as libc::pid_t
    }

    /// `std::process::id()`.
    pub(crate) fn own_id() -> u32 {
        process_id().cast_unsigned()
    }

    /// Lets another thread run, as `std::thread::yield_now` does.
    pub(crate) fn yield_now() {
        // SAFETY: sched_yield has no preconditions.
        unsafe { libc::syscall(libc::SYS_sched_yield) };
    }

    /// Opens a pipe whose two ends are close-on-exec from the start.
    pub(crate) fn cloexec_pipe(fds: &mut [libc::c_int; 2]) -> io::Result<()> {
        // SAFETY: pipe2 fills the two-element array it is given.
        let result = unsafe { libc::syscall(libc::SYS_pipe2, fds.as_mut_ptr(), libc::O_CLOEXEC) };
        checked(result)
    }

    /// `file.sync_all()`.
    pub(crate) fn sync(file: &File) -> io::Result<()> {
        // SAFETY: fsync on a descriptor `file` keeps open.
        checked(unsafe { libc::syscall(libc::SYS_fsync, file.as_raw_fd()) })
    }

    /// `std::fs::rename(from, to)`.
    pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
        // riscv and LoongArch have only `renameat2` (Linux 3.15), which
        // takes the same arguments and a flags word; the others have
        // `renameat`, which ignores the extra zero.
        #[cfg(any(target_arch = "riscv64", target_arch = "riscv32", target_arch = "loongarch64"))]
        const RENAMEAT: libc::c_long = libc::SYS_renameat2;
        #[cfg(not(any(target_arch = "riscv64", target_arch = "riscv32", target_arch = "loongarch64")))]
        const RENAMEAT: libc::c_long = libc::SYS_renameat;
        let (from, to) = (c_path(from)?, c_path(to)?);
        // SAFETY: both paths are NUL-terminated strings that live across
        // the call; relative ones resolve against the working directory.
        checked(unsafe {
            libc::syscall(
                RENAMEAT,
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                0 as libc::c_int,
            )
        })
    }

    /// `std::fs::remove_file(path)`.
    pub(crate) fn remove_file(path: &Path) -> io::Result<()> {
        let path = c_path(path)?;
        // SAFETY: `path` is a NUL-terminated string that lives across the
        // call; flags 0 removes a file, not a directory.
        checked(unsafe { libc::syscall(libc::SYS_unlinkat, libc::AT_FDCWD, path.as_ptr(), 0 as libc::c_int) })
    }

    fn c_path(path: &Path) -> io::Result<CString> {
        CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
    }

    fn checked(result: libc::c_long) -> io::Result<()> {
        match result {
            -1 => Err(io::Error::last_os_error()),
            _ => Ok(()),
        }
    }
}

cfg_not_linux_native! {
    /// The calling process's id, as `getpid` returns it.
    #[cfg(unix)]
    pub(crate) fn process_id() -> libc::pid_t {
        // SAFETY: getpid has no preconditions, cannot fail and is
        // async-signal-safe.
        unsafe { libc::getpid() }
    }

    /// `std::process::id()`.
    pub(crate) fn own_id() -> u32 {
        std::process::id()
    }

    /// Lets another thread run.
    #[cfg(unix)]
    pub(crate) fn yield_now() {
        std::thread::yield_now();
    }

    /// Opens a pipe whose two ends are close-on-exec from the start (where
    /// the `libc` crate declares `pipe2`; see `signals::install`).
    #[cfg(any(target_os = "freebsd", target_os = "dragonfly", target_os = "netbsd",
        target_os = "openbsd"))]
    pub(crate) fn cloexec_pipe(fds: &mut [libc::c_int; 2]) -> io::Result<()> {
        // SAFETY: pipe2 fills the two-element array it is given.
        match unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }

    /// `file.sync_all()`.
    pub(crate) fn sync(file: &File) -> io::Result<()> {
        file.sync_all()
    }

    /// `std::fs::rename(from, to)`.
    pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    /// `std::fs::remove_file(path)`.
    pub(crate) fn remove_file(path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_calls_do_what_std_s_do_and_say_why_they_fail() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("from"), dir.path().join("to"));
        std::fs::write(&from, "new").unwrap();
        std::fs::write(&to, "old").unwrap();
        sync(&File::open(&from).unwrap()).unwrap();
        rename(&from, &to).unwrap();
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "new");
        assert!(!from.exists());
        let missing = rename(&from, &to).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        remove_file(&to).unwrap();
        assert_eq!(
            remove_file(&to).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(
            remove_file(dir.path()).unwrap_err().kind(),
            io::ErrorKind::IsADirectory
        );
        let nul = Path::new("a\0b");
        assert_eq!(
            remove_file(nul).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn the_process_id_is_std_s() {
        assert_eq!(own_id(), std::process::id());
        yield_now();
    }
}
