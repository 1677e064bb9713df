//! Never a way around the program's own sandbox: before the cleanups run
//! on a thread the runtime started (the signal thread), that thread's
//! restrictions are compared with the main thread's as they are now, and
//! where the runtime's thread has fewer, the cleanups do not run there.
//!
//! Linux keeps these per thread, and a thread keeps the ones of the thread
//! that created it: a seccomp filter installed without
//! `SECCOMP_FILTER_FLAG_TSYNC`, `no_new_privs`, dropped capabilities (and
//! Landlock, which `/proc` does not show; nor is CPU affinity a
//! restriction). A signal thread started before the program set them up
//! is outside them. `/proc/self/task/<tid>/status` shows each thread's
//! seccomp mode and filter count, `NoNewPrivs`, and effective, permitted
//! and bounding capability sets; those are compared. The way to have
//! them inside is `cleanup_runtime::signals::pause`.
//!
//! Elsewhere there is nothing to compare (no per-thread restrictions that
//! `/proc` shows), and the answer is always "not looser".

use std::fmt;

/// What the runtime's thread has that the main thread no longer has.
#[derive(Debug, PartialEq, Eq)]
#[allow(
    dead_code,
    reason = "constructed only where /proc is read (cfg_linux_native)"
)]
pub(crate) enum Looser {
    Seccomp { ours: u32, main: u32 },
    NoNewPrivs,
    Capabilities { set: &'static str, extra: u64 },
}

impl fmt::Display for Looser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Looser::Seccomp { ours, main } => write!(
                f,
                "the main thread runs under {main} seccomp filter(s), the signal thread under {ours}"
            ),
            Looser::NoNewPrivs => {
                f.write_str("the main thread has no_new_privs, the signal thread not")
            }
            Looser::Capabilities { set, extra } => write!(
                f,
                "the signal thread has {set} capabilities the main thread dropped (mask {extra:#x})"
            ),
        }
    }
}

cfg_linux_native! {
    /// A thread's restrictions as `/proc` shows them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    struct Restrictions {
        /// 0 none, 1 strict, 2 filter.
        seccomp: u32,
        /// How many seccomp filters apply.
        filters: u32,
        no_new_privs: bool,
        effective: u64,
        permitted: u64,
        bounding: u64,
    }

    impl Restrictions {
        /// Reads `Seccomp`, `Seccomp_filters`, `NoNewPrivs`, `CapEff`,
        /// `CapPrm` and `CapBnd` from a `status` file's text.
        fn parse(status: &str) -> Option<Restrictions> {
            let field = |name: &str| {
                status.lines().find_map(|line| {
                    line.strip_prefix(name)
                        .and_then(|rest| rest.strip_prefix(':'))
                        .map(str::trim)
                })
            };
            // Both through `u64::from_str_radix`: a `u32` parser of its own
            // would compile one more (about 300 lines of LLVM IR).
            let read = |name: &str, radix| {
                field(name).and_then(|value| u64::from_str_radix(value, radix).ok())
            };
            let number = |name: &str| read(name, 10).and_then(|n| u32::try_from(n).ok());
            let mask = |name: &str| read(name, 16);
            Some(Restrictions {
                seccomp: number("Seccomp")?,
                // Older kernels show no count: one filter or more, unknown.
                filters: number("Seccomp_filters").unwrap_or(0),
                no_new_privs: number("NoNewPrivs")? != 0,
                effective: mask("CapEff")?,
                permitted: mask("CapPrm")?,
                bounding: mask("CapBnd")?,
            })
        }

        /// How `self` (the thread that would run the cleanups) has fewer
        /// restrictions than `main`, if it has.
        fn looser_than(&self, main: &Restrictions) -> Option<Looser> {
            if self.seccomp < main.seccomp || self.filters < main.filters {
                return Some(Looser::Seccomp {
                    ours: self.filters,
                    main: main.filters,
                });
            }
            if main.no_new_privs && !self.no_new_privs {
                return Some(Looser::NoNewPrivs);
            }
            // By reference: by value compiles an array iterator of its own.
            for &(name, ours, theirs) in &[
                ("effective", self.effective, main.effective),
                ("permitted", self.permitted, main.permitted),
                ("bounding", self.bounding, main.bounding),
            ] {
                let extra = ours & !theirs;
                if extra != 0 {
                    return Some(Looser::Capabilities { set: name, extra });
                }
            }
            None
        }
    }

    /// How the calling thread has fewer restrictions than the main thread
    /// has now, if it has; `None` also where either cannot be read (no
    /// `/proc`, the main thread gone).
    pub(crate) fn calling_thread_looser_than_main() -> Option<Looser> {
        // SAFETY: gettid has no preconditions and cannot fail.
        let (ours, main) = (unsafe { libc::gettid() }, crate::base::system_calls::process_id());
        if ours == main {
            return None;
        }
        read(ours)?.looser_than(&read(main)?)
    }

    /// Thread `tid`'s restrictions. One read into a buffer on the stack:
    /// the file is about 1.5 KiB, and `read_to_string` would probe it in
    /// eight growing reads (`/proc` says its size is 0) on the signal's
    /// path.
    fn read(tid: libc::pid_t) -> Option<Restrictions> {
        use std::io::Read;
        let mut file = std::fs::File::open(format!("/proc/self/task/{tid}/status")).ok()?;
        let mut buffer = [0u8; 4096];
        let mut filled = 0;
        while filled < buffer.len() {
            match file.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(_) => return None,
            }
        }
        Restrictions::parse(std::str::from_utf8(&buffer[..filled]).ok()?)
    }
}

cfg_not_linux_native! {
    /// Nothing to compare here (see the module docs).
    pub(crate) fn calling_thread_looser_than_main() -> Option<Looser> {
        None
    }
}

cfg_linux_native! {
    #[cfg(test)]
    mod tests {
        use super::*;

        const OPEN: &str = "Name:\tx\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n\
                            CapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";

        #[test]
        fn fewer_filters_no_new_privs_or_extra_capabilities_are_looser() {
            let open = Restrictions::parse(OPEN).expect("parsed");
            assert_eq!(open.looser_than(&open), None);
            let filtered = Restrictions {
                seccomp: 2,
                filters: 1,
                ..open
            };
            assert_eq!(
                open.looser_than(&filtered),
                Some(Looser::Seccomp { ours: 0, main: 1 })
            );
            assert_eq!(filtered.looser_than(&open), None, "stricter is fine");
            let nnp = Restrictions {
                no_new_privs: true,
                ..open
            };
            assert_eq!(open.looser_than(&nnp), Some(Looser::NoNewPrivs));
            let dropped = Restrictions {
                effective: 0,
                ..open
            };
            assert!(matches!(
                open.looser_than(&dropped),
                Some(Looser::Capabilities {
                    set: "effective",
                    ..
                })
            ));
        }

        #[test]
        fn a_status_without_the_fields_reads_as_nothing() {
            assert_eq!(Restrictions::parse("Name:\tx\n"), None);
        }
    }
}
