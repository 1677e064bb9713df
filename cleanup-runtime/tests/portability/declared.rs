//! Where the `libc` crate declares each item the runtime names.

pub(crate) const GLIBC: u16 = 1 << 0;
pub(crate) const MUSL: u16 = 1 << 1;
pub(crate) const ANDROID: u16 = 1 << 2;
pub(crate) const APPLE: u16 = 1 << 3;
pub(crate) const FREEBSD: u16 = 1 << 4;
pub(crate) const NETBSD: u16 = 1 << 5;
pub(crate) const OPENBSD: u16 = 1 << 6;
pub(crate) const WINDOWS: u16 = 1 << 7;
/// Declared by every Unix family above.
pub(crate) const UNIX: u16 = GLIBC | MUSL | ANDROID | APPLE | FREEBSD | NETBSD | OPENBSD;

/// Where the `libc` crate (0.2.191) declares each item the runtime names:
/// `src/unix/mod.rs` and `src/new/common/posix/` for `UNIX`, the family's
/// own folder otherwise (PORTABILITY.md has the file of each cell).
/// `WINDOWS` is `x86_64-pc-windows-msvc` (`src/windows/mod.rs`).
pub(crate) const DECLARED: &[(&str, u16)] = &[
    ("AT_FDCWD", UNIX),
    ("AT_SECURE", GLIBC | MUSL | ANDROID),
    ("atexit", UNIX | WINDOWS),
    ("c_int", UNIX | WINDOWS),
    ("c_long", UNIX | WINDOWS),
    ("c_ulong", UNIX | WINDOWS),
    ("clock_gettime", UNIX),
    ("CLOCK_MONOTONIC", UNIX),
    ("close", UNIX | WINDOWS),
    ("EACCES", UNIX | WINDOWS),
    ("EAGAIN", UNIX | WINDOWS),
    ("EINTR", UNIX | WINDOWS),
    ("EFTYPE", APPLE | FREEBSD | NETBSD | OPENBSD),
    ("EISDIR", UNIX | WINDOWS),
    ("ELOOP", UNIX | WINDOWS),
    ("EMLINK", UNIX | WINDOWS),
    ("ENOENT", UNIX | WINDOWS),
    ("EROFS", UNIX | WINDOWS),
    ("ETXTBSY", UNIX | WINDOWS),
    ("EWOULDBLOCK", UNIX | WINDOWS),
    ("_exit", UNIX | WINDOWS),
    ("exit", UNIX | WINDOWS),
    ("F_DUPFD_CLOEXEC", UNIX),
    ("F_GETFL", UNIX),
    ("F_SETFD", UNIX),
    ("F_SETFL", UNIX),
    ("fcntl", UNIX),
    ("FD_CLOEXEC", UNIX),
    ("flock", UNIX),
    ("getauxval", GLIBC | MUSL | ANDROID),
    ("getegid", UNIX),
    ("geteuid", UNIX),
    ("getgid", UNIX),
    ("getpid", UNIX | WINDOWS),
    ("pid_t", UNIX),
    ("gettid", GLIBC | MUSL | ANDROID),
    ("getuid", UNIX),
    ("issetugid", APPLE | FREEBSD | NETBSD | OPENBSD),
    ("LOCK_EX", UNIX),
    ("LOCK_NB", UNIX),
    ("LOCK_SH", UNIX),
    ("O_CLOEXEC", UNIX),
    ("O_NOFOLLOW", UNIX),
    ("O_NONBLOCK", UNIX),
    ("pause", UNIX),
    // Windows declares a `pipe` with another signature (`_pipe`'s).
    ("pipe", UNIX),
    ("pipe2", GLIBC | MUSL | ANDROID | FREEBSD | NETBSD | OPENBSD),
    ("PIPE_BUF", UNIX),
    ("poll", UNIX),
    ("pollfd", UNIX),
    ("POLLNVAL", UNIX),
    ("POLLIN", UNIX),
    ("POLLOUT", UNIX),
    ("pthread_atfork", UNIX),
    ("pthread_create", UNIX),
    ("pthread_join", UNIX),
    ("syscall", GLIBC | MUSL | ANDROID),
    ("SYS_tgkill", GLIBC | MUSL | ANDROID),
    ("SYS_rt_sigprocmask", GLIBC | MUSL | ANDROID),
    ("SYS_getpid", GLIBC | MUSL | ANDROID),
    ("SYS_sched_yield", GLIBC | MUSL | ANDROID),
    ("SYS_pipe2", GLIBC | MUSL | ANDROID),
    ("SYS_fsync", GLIBC | MUSL | ANDROID),
    // Not on riscv and LoongArch, where `base/system_calls.rs` takes
    // `SYS_renameat2`.
    ("SYS_renameat", GLIBC | MUSL | ANDROID),
    ("SYS_renameat2", GLIBC | MUSL | ANDROID),
    ("SYS_unlinkat", GLIBC | MUSL | ANDROID),
    ("pthread_main_np", APPLE | FREEBSD | OPENBSD),
    ("pthread_attr_destroy", UNIX),
    ("pthread_attr_init", UNIX),
    ("pthread_attr_setstack", GLIBC | MUSL | ANDROID),
    ("pthread_attr_t", UNIX),
    ("pthread_self", UNIX),
    ("pthread_sigmask", UNIX),
    ("pthread_t", UNIX),
    ("raise", UNIX | WINDOWS),
    ("read", UNIX | WINDOWS),
    ("SA_RESTART", UNIX),
    ("SIG_DFL", UNIX | WINDOWS),
    ("SIG_UNBLOCK", UNIX),
    ("SIGABRT", UNIX | WINDOWS),
    ("sigaction", UNIX),
    ("sigaddset", UNIX),
    ("sigemptyset", UNIX),
    ("sighandler_t", UNIX | WINDOWS),
    ("SIGHUP", UNIX),
    ("SIGINT", UNIX | WINDOWS),
    ("sigset_t", UNIX),
    ("SIGTERM", UNIX | WINDOWS),
    // Windows: only the GNU toolchain's `src/windows/gnu/mod.rs`.
    ("STDERR_FILENO", UNIX),
    ("timespec", UNIX | WINDOWS),
    // A unit test only (the pid file's mode under a given umask).
    ("umask", UNIX),
    ("mode_t", UNIX),
    ("write", UNIX | WINDOWS),
];

/// `libc` structs that have private padding fields on some target (libc's
/// `src/unix/mod.rs` and `linux/gnu/mod.rs`: `timespec` on 32-bit musl with
/// 64-bit time and under glibc's `_TIME_BITS=64`): a struct literal of one
/// compiles here and not there. Build them zeroed.
pub(crate) const PADDED_SOMEWHERE: &[&str] = &["timespec"];
