//! The runtime's environment variables: every `CLEANUP_*` variable is
//! listed in `variables!` below and read through [`read`], and nowhere
//! else (a test checks the sources). A new variable (`CLEANUP_GRACE`, ...)
//! is one more line in that list; it then gets the rules below for free.
//!
//! # Privileged processes
//!
//! In a process started with elevated privileges — set-user-ID,
//! set-group-ID, file capabilities: the kernel's `AT_SECURE` — the
//! environment belongs to whoever started the program, not to its owner.
//! `CLEANUP_REPORT=json:/etc/passwd` would have a set-user-ID root program
//! replace the password file with its report; `CLEANUP_DEADLINE=1ns` would
//! cut its cleanups short. So there, as glibc's `secure_getenv` does, no
//! variable is read: [`read`] returns `None`, and one line on stderr, once
//! per process and only if one of them was set, says they were ignored.
//! The program's own calls ([`set_deadline`](crate::set_deadline),
//! [`leave_signals_alone`](crate::leave_signals_alone)) still work.
//!
//! How "privileged" is decided, per platform:
//!
//! - Linux and Android: `getauxval(AT_SECURE) != 0`, the kernel's own
//!   answer, which also covers file capabilities and LSM transitions, and
//!   stays set after the program drops its privileges (as glibc's rule).
//! - macOS, iOS, the BSDs and Haiku: `issetugid() != 0`, their equivalent.
//! - Any other Unix (where the `libc` crate declares neither), and Linux
//!   under `--cfg cleanup_runtime_portable` (PORTABILITY.md): the real and
//!   effective user or group ids differ. This misses file capabilities and a
//!   program that has already dropped privileges; it is the best a portable
//!   program can do there.
//! - Not Unix: never privileged (no set-user-ID bit).
//!
//! # Before `main`
//!
//! The signal switch is read in a constructor, before `main`, where only
//! libc-level work is safe (std's thread info and stdout are not set up
//! yet; `println!` in a constructor can panic). `std::env::var_os` is that: std's
//! environment is libc's `environ` behind a `RwLock` that is a
//! const-initialised static (a futex word), needing no thread info and no
//! stdio, and the value is copied with `malloc`, which works there. Going
//! through std rather than `libc::getenv` also keeps this read from racing
//! a `std::env::set_var` on another thread (`signals::arm` also runs at any
//! thread's first registration). The e2e tests pin it: a static cleanup
//! with `CLEANUP_SIGNALS=off` (tests/lifecycle.rs, tests/security.rs).

use std::ffi::OsString;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::base::diagnostics;

/// Declares the variables: the enum, its list, and each one's name.
macro_rules! variables {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// A `CLEANUP_*` environment variable the runtime reads.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Variable {
            $($(#[$doc])* $variant,)+
        }

        impl Variable {
            /// Every variable the runtime reads.
            pub(crate) const ALL: &[Variable] = &[$(Variable::$variant,)+];

            /// The variable's name in the environment.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(Variable::$variant => $name,)+
                }
            }
        }
    };
}

variables! {
    /// Where the report goes at exit (`destination`).
    Report => "CLEANUP_REPORT",
    /// The deadline of the run at exit (`deadline`).
    Deadline => "CLEANUP_DEADLINE",
    /// The run-time off switch of signal handling (`signals`); read before
    /// `main` when the program declares static cleanups.
    Signals => "CLEANUP_SIGNALS",
    /// A listening program's grace period after a signal
    /// (`shutdown/`).
    Grace => "CLEANUP_GRACE",
    /// A listening program's delay between a signal and waking its waiters
    /// (`shutdown/`).
    ShutdownDelay => "CLEANUP_SHUTDOWN_DELAY",
}

/// The value of `variable`, or `None` when it is unset or the process is
/// privileged (see the module docs). The only way the runtime reads its
/// environment.
pub(crate) fn read(variable: Variable) -> Option<OsString> {
    if privileged() {
        say_ignored_once();
        return None;
    }
    std::env::var_os(variable.name())
}

/// Whether `NOTIFY_SOCKET` is set and not empty: the program runs under
/// systemd's notification protocol (`process::systemd`). Not one of ours,
/// but read under the same rule: not in a privileged process, whose
/// environment is not its owner's. Read once per process, by the caller.
#[cfg(all(target_os = "linux", feature = "systemd"))]
pub(crate) fn notify_socket_set() -> bool {
    !privileged() && std::env::var_os("NOTIFY_SOCKET").is_some_and(|path| !path.is_empty())
}

/// Set once the line about ignored variables has been considered.
static CONSIDERED: AtomicBool = AtomicBool::new(false);

/// One line on stderr naming the variables that are set and ignored, once
/// per process, and none if no variable is set. Raw `write(2)`: this may
/// run before `main`.
#[cold]
fn say_ignored_once() {
    if CONSIDERED.swap(true, Ordering::Relaxed) {
        return;
    }
    // A loop, not `filter`/`collect` and `join`: those compile about 1,300
    // lines of LLVM IR into the crate for this one cold line.
    let mut set = String::new();
    for variable in Variable::ALL {
        if std::env::var_os(variable.name()).is_some() {
            if !set.is_empty() {
                set.push_str(", ");
            }
            set.push_str(variable.name());
        }
    }
    if !set.is_empty() {
        diagnostics::warn(format_args!(
            "{} ignored: this process runs with elevated privileges \
             (set-user-ID, set-group-ID or capabilities), so its environment \
             is not trusted; the program's own settings apply",
            set
        ));
    }
}

cfg_linux_native! {
    /// Whether the process was started with elevated privileges.
    fn privileged() -> bool {
        // SAFETY: getauxval has no preconditions; it returns 0 for a type the
        // kernel did not pass.
        unsafe { libc::getauxval(libc::AT_SECURE) != 0 }
    }
}

cfg_issetugid! {
    /// Whether the process was started with elevated privileges.
    fn privileged() -> bool {
        // SAFETY: issetugid has no preconditions.
        unsafe { libc::issetugid() != 0 }
    }
}

cfg_unix_without_privilege_call! {
    /// Whether the process was started with elevated privileges: where
    /// neither `getauxval` nor `issetugid` is declared (and on Linux under
    /// `--cfg cleanup_runtime_portable`), whether the real and effective
    /// ids differ.
    fn privileged() -> bool {
        ids_differ()
    }
}

/// Whether the process was started with elevated privileges: never, where
/// there is no set-user-ID bit.
#[cfg(not(unix))]
fn privileged() -> bool {
    false
}

/// Whether the real and effective user or group ids differ: the portable
/// fallback. Compiled on every Unix so that Linux builds and tests it too.
#[cfg(unix)]
#[allow(
    dead_code,
    reason = "called only where neither getauxval nor issetugid is declared"
)]
fn ids_differ() -> bool {
    // SAFETY: these four calls have no preconditions and always succeed.
    unsafe { libc::getuid() != libc::geteuid() || libc::getgid() != libc::getegid() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_is_a_distinct_cleanup_variable() {
        let mut names: Vec<&str> = Variable::ALL.iter().map(|v| v.name()).collect();
        assert!(names.iter().all(|name| name.starts_with("CLEANUP_")));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Variable::ALL.len());
    }

    #[test]
    fn the_test_process_is_not_privileged() {
        // Tests run from cargo, never set-user-ID; the e2e tests
        // (tests/security.rs) cover the privileged side.
        assert!(!privileged());
        assert!(!ids_differ());
    }

    /// A new variable cannot slip past the rule: no other module reads the
    /// environment (outside its unit tests).
    #[test]
    fn no_other_module_reads_the_environment() {
        let mut offenders = Vec::new();
        for (file, lines) in crate::base::sources::code_lines() {
            let reads = lines.iter().any(|line| {
                ["env::var", "getenv", "libc::environ"]
                    .iter()
                    .any(|reader| line.contains(reader))
            });
            if reads && file != "environment.rs" {
                offenders.push(file);
            }
        }
        assert!(
            offenders.is_empty(),
            "read the environment through environment::read: {offenders:?}"
        );
    }
}
