//! The target families checked, and `cfg` evaluated for each.

use crate::declared::*;

/// A target family as `cfg` sees it, and the families whose declarations
/// the code compiled for it may use.
pub(crate) struct Target {
    pub(crate) name: &'static str,
    pub(crate) may_use: u16,
    pub(crate) cfg: &'static [(&'static str, Option<&'static str>)],
}

pub(crate) const LINUX_GNU: &[(&str, Option<&str>)] = &[
    ("unix", None),
    ("target_family", Some("unix")),
    ("target_os", Some("linux")),
    ("target_env", Some("gnu")),
    ("target_vendor", Some("unknown")),
];

pub(crate) const PORTABLE_LINUX: &[(&str, Option<&str>)] = &[
    ("unix", None),
    ("target_family", Some("unix")),
    ("target_os", Some("linux")),
    ("target_env", Some("gnu")),
    ("target_vendor", Some("unknown")),
    ("cleanup_runtime_portable", None),
];

pub(crate) const TARGETS: &[Target] = &[
    Target {
        name: "x86_64-unknown-linux-gnu",
        may_use: GLIBC,
        cfg: LINUX_GNU,
    },
    Target {
        name: "x86_64-unknown-linux-gnu --cfg cleanup_runtime_portable",
        may_use: UNIX,
        cfg: PORTABLE_LINUX,
    },
    Target {
        name: "x86_64-unknown-linux-musl",
        may_use: MUSL,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("linux")),
            ("target_env", Some("musl")),
            ("target_vendor", Some("unknown")),
        ],
    },
    Target {
        name: "aarch64-linux-android",
        may_use: ANDROID,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("android")),
            ("target_env", Some("")),
            ("target_vendor", Some("unknown")),
        ],
    },
    Target {
        name: "aarch64-apple-darwin",
        may_use: APPLE,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("macos")),
            ("target_env", Some("")),
            ("target_vendor", Some("apple")),
        ],
    },
    Target {
        name: "aarch64-apple-ios",
        may_use: APPLE,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("ios")),
            ("target_env", Some("")),
            ("target_vendor", Some("apple")),
        ],
    },
    Target {
        name: "x86_64-unknown-freebsd",
        may_use: FREEBSD,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("freebsd")),
            ("target_env", Some("")),
            ("target_vendor", Some("unknown")),
        ],
    },
    Target {
        name: "x86_64-unknown-netbsd",
        may_use: NETBSD,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("netbsd")),
            ("target_env", Some("")),
            ("target_vendor", Some("unknown")),
        ],
    },
    Target {
        name: "x86_64-unknown-openbsd",
        may_use: OPENBSD,
        cfg: &[
            ("unix", None),
            ("target_family", Some("unix")),
            ("target_os", Some("openbsd")),
            ("target_env", Some("")),
            ("target_vendor", Some("unknown")),
        ],
    },
    Target {
        name: "x86_64-pc-windows-msvc",
        may_use: WINDOWS,
        cfg: &[
            ("windows", None),
            ("target_family", Some("windows")),
            ("target_os", Some("windows")),
            ("target_env", Some("msvc")),
            ("target_vendor", Some("pc")),
        ],
    },
];

/// Three-valued: a `cfg` naming something a [`Target`] does not fix
/// (`target_arch`, `feature`, `panic`, `test`) may hold or not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Truth {
    Yes,
    No,
    Maybe,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::Yes => Truth::No,
            Truth::No => Truth::Yes,
            Truth::Maybe => Truth::Maybe,
        }
    }
}

/// The keys a [`Target`] decides; any other `cfg` is [`Truth::Maybe`].
pub(crate) const DECIDED: &[&str] = &[
    "unix",
    "windows",
    "target_family",
    "target_os",
    "target_env",
    "target_vendor",
    "cleanup_runtime_portable",
];

/// Evaluates one `cfg` predicate (`any(..)`, `all(..)`, `not(..)`, `key`,
/// `key = "value"`) for `target`; returns the truth and the rest of `text`.
pub(crate) fn eval<'a>(text: &'a str, target: &Target) -> (Truth, &'a str) {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (key, rest) = text.split_at(end);
    let rest = rest.trim_start();
    if let Some(mut inner) = rest.strip_prefix('(') {
        let mut values = Vec::new();
        loop {
            inner = inner.trim_start();
            if let Some(after) = inner.strip_prefix(')') {
                let truth = match key {
                    "any" if values.contains(&Truth::Yes) => Truth::Yes,
                    "any" if values.iter().all(|v| *v == Truth::No) => Truth::No,
                    "all" if values.contains(&Truth::No) => Truth::No,
                    "all" if values.iter().all(|v| *v == Truth::Yes) => Truth::Yes,
                    "not" => values[0].not(),
                    "any" | "all" => Truth::Maybe,
                    other => panic!("unknown cfg combinator {other}"),
                };
                return (truth, after);
            }
            let (value, after) = eval(inner, target);
            values.push(value);
            inner = after.trim_start().strip_prefix(',').unwrap_or(after);
        }
    }
    let (value, rest) = match rest.strip_prefix('=') {
        Some(after) => {
            let after = after.trim_start().strip_prefix('"').expect("a string");
            let close = after.find('"').expect("a closing quote");
            (Some(&after[..close]), &after[close + 1..])
        }
        None => (None, rest),
    };
    let truth = if !DECIDED.contains(&key) {
        Truth::Maybe
    } else if target.cfg.contains(&(key, value)) {
        Truth::Yes
    } else {
        Truth::No
    };
    (truth, rest)
}
