//! The platform groups, each defined once, as tokio's `macros/cfg.rs`
//! does: `cfg_<group>! { items }` keeps the items only on that group's
//! targets, `cfg_not_<group>! { items }` only elsewhere. No list of
//! targets is written anywhere else in the crate.
//!
//! The platform scheme, in full: a whole file that differs on Windows is a
//! `*_windows.rs` sibling chosen by `#[cfg_attr(windows, path = ...)]`;
//! smaller differences are these groups, or plain `#[cfg(unix)]` /
//! `#[cfg(windows)]`.
//!
//! `--cfg cleanup_runtime_portable` (a testing aid, PORTABILITY.md) makes
//! Linux take the code of the other Unixes: every Linux-only group below
//! excludes it.

// A target compiles only the groups its code needs; the others stay
// unused there.
#![allow(unused_macros)]

/// Linux and Android's own system calls (`gettid`, `statx`), unless built
/// with `--cfg cleanup_runtime_portable`.
macro_rules! cfg_linux_native {
    ($($item:item)*) => {
        $(
            #[cfg(all(
                any(target_os = "linux", target_os = "android"),
                not(cleanup_runtime_portable)
            ))]
            $item
        )*
    };
}

/// Everywhere [`cfg_linux_native`] is not.
macro_rules! cfg_not_linux_native {
    ($($item:item)*) => {
        $(
            #[cfg(not(all(
                any(target_os = "linux", target_os = "android"),
                not(cleanup_runtime_portable)
            )))]
            $item
        )*
    };
}

/// glibc, whose `on_exit` passes the exit status to the handler.
macro_rules! cfg_glibc_on_exit {
    ($($item:item)*) => {
        $(
            #[cfg(all(target_os = "linux", target_env = "gnu", not(cleanup_runtime_portable)))]
            $item
        )*
    };
}

/// Everywhere [`cfg_glibc_on_exit`] is not: `atexit`, which does not.
macro_rules! cfg_not_glibc_on_exit {
    ($($item:item)*) => {
        $(
            #[cfg(not(all(target_os = "linux", target_env = "gnu", not(cleanup_runtime_portable))))]
            $item
        )*
    };
}

/// Where the `libc` crate declares `pipe2` (a pipe close-on-exec from the
/// start).
macro_rules! cfg_pipe2 {
    ($($item:item)*) => {
        $(
            #[cfg(all(
                any(
                    target_os = "linux",
                    target_os = "android",
                    target_os = "freebsd",
                    target_os = "dragonfly",
                    target_os = "netbsd",
                    target_os = "openbsd"
                ),
                not(cleanup_runtime_portable)
            ))]
            $item
        )*
    };
}

/// Everywhere [`cfg_pipe2`] is not.
macro_rules! cfg_not_pipe2 {
    ($($item:item)*) => {
        $(
            #[cfg(not(all(
                any(
                    target_os = "linux",
                    target_os = "android",
                    target_os = "freebsd",
                    target_os = "dragonfly",
                    target_os = "netbsd",
                    target_os = "openbsd"
                ),
                not(cleanup_runtime_portable)
            )))]
            $item
        )*
    };
}

/// Where `pthread_main_np` says whether this is the main thread.
macro_rules! cfg_pthread_main_np {
    ($($item:item)*) => {
        $(
            #[cfg(any(
                target_vendor = "apple",
                target_os = "freebsd",
                target_os = "dragonfly",
                target_os = "openbsd"
            ))]
            $item
        )*
    };
}

/// Where neither [`cfg_linux_native`] nor [`cfg_pthread_main_np`] can
/// tell the main thread cheaply.
macro_rules! cfg_no_main_thread_test {
    ($($item:item)*) => {
        $(
            #[cfg(not(any(
                all(
                    any(target_os = "linux", target_os = "android"),
                    not(cleanup_runtime_portable)
                ),
                target_vendor = "apple",
                target_os = "freebsd",
                target_os = "dragonfly",
                target_os = "openbsd"
            )))]
            $item
        )*
    };
}

/// Where `issetugid` says whether the process started with elevated
/// privileges.
macro_rules! cfg_issetugid {
    ($($item:item)*) => {
        $(
            #[cfg(any(
                target_vendor = "apple",
                target_os = "freebsd",
                target_os = "dragonfly",
                target_os = "openbsd",
                target_os = "netbsd",
                target_os = "haiku"
            ))]
            $item
        )*
    };
}

/// The Unixes where neither [`cfg_linux_native`] (`getauxval`) nor
/// [`cfg_issetugid`] applies.
macro_rules! cfg_unix_without_privilege_call {
    ($($item:item)*) => {
        $(
            #[cfg(all(
                unix,
                not(any(
                    all(
                        any(target_os = "linux", target_os = "android"),
                        not(cleanup_runtime_portable)
                    ),
                    target_vendor = "apple",
                    target_os = "freebsd",
                    target_os = "dragonfly",
                    target_os = "openbsd",
                    target_os = "netbsd",
                    target_os = "haiku"
                ))
            ))]
            $item
        )*
    };
}
