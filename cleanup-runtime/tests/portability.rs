//! Portability by construction (PORTABILITY.md): every `libc` item the
//! runtime names is declared, in the `libc` crate, for every target family
//! whose build compiles the line that names it.
//!
//! Only `x86_64-unknown-linux-gnu` can be built here, so this reads the
//! source instead. For each `libc::item` outside comments and strings, the
//! `cfg`s around it (the `mod` declarations on the way from `lib.rs`, then
//! each enclosing item, block or statement) are evaluated for each target
//! family; wherever the line may be compiled, the item must be declared
//! there according to [`DECLARED`], which was read from libc 0.2.191's
//! source (PORTABILITY.md names the file behind each cell). An item not in
//! the table fails the test until someone checks it and adds it.
//!
//! Linux under `--cfg cleanup_runtime_portable` must use only what every
//! Unix family declares: that is what makes the switch exercise the code
//! the other Unixes compile.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const GLIBC: u16 = 1 << 0;
const MUSL: u16 = 1 << 1;
const ANDROID: u16 = 1 << 2;
const APPLE: u16 = 1 << 3;
const FREEBSD: u16 = 1 << 4;
const NETBSD: u16 = 1 << 5;
const OPENBSD: u16 = 1 << 6;
const WINDOWS: u16 = 1 << 7;
/// Declared by every Unix family above.
const UNIX: u16 = GLIBC | MUSL | ANDROID | APPLE | FREEBSD | NETBSD | OPENBSD;

/// Where the `libc` crate (0.2.191) declares each item the runtime names:
/// `src/unix/mod.rs` and `src/new/common/posix/` for `UNIX`, the family's
/// own folder otherwise (PORTABILITY.md has the file of each cell).
/// `WINDOWS` is `x86_64-pc-windows-msvc` (`src/windows/mod.rs`).
const DECLARED: &[(&str, u16)] = &[
    ("AT_SECURE", GLIBC | MUSL | ANDROID),
    ("atexit", UNIX | WINDOWS),
    ("c_int", UNIX | WINDOWS),
    ("clock_gettime", UNIX),
    ("CLOCK_MONOTONIC", UNIX),
    ("close", UNIX | WINDOWS),
    ("EACCES", UNIX | WINDOWS),
    ("EAGAIN", UNIX | WINDOWS),
    ("EINTR", UNIX | WINDOWS),
    ("EISDIR", UNIX | WINDOWS),
    ("ELOOP", UNIX | WINDOWS),
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
    ("POLLOUT", UNIX),
    ("pthread_atfork", UNIX),
    ("pthread_create", UNIX),
    ("pthread_detach", UNIX),
    ("pthread_main_np", APPLE | FREEBSD | OPENBSD),
    ("pthread_self", UNIX),
    ("pthread_sigmask", UNIX),
    ("pthread_t", UNIX),
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
    ("write", UNIX | WINDOWS),
];

/// A target family as `cfg` sees it, and the families whose declarations
/// the code compiled for it may use.
struct Target {
    name: &'static str,
    may_use: u16,
    cfg: &'static [(&'static str, Option<&'static str>)],
}

const LINUX_GNU: &[(&str, Option<&str>)] = &[
    ("unix", None),
    ("target_family", Some("unix")),
    ("target_os", Some("linux")),
    ("target_env", Some("gnu")),
    ("target_vendor", Some("unknown")),
];

const PORTABLE_LINUX: &[(&str, Option<&str>)] = &[
    ("unix", None),
    ("target_family", Some("unix")),
    ("target_os", Some("linux")),
    ("target_env", Some("gnu")),
    ("target_vendor", Some("unknown")),
    ("cleanup_runtime_portable", None),
];

const TARGETS: &[Target] = &[
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
];

/// Three-valued: a `cfg` naming something a [`Target`] does not fix
/// (`target_arch`, `feature`, `panic`, `test`) may hold or not.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Truth {
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
const DECIDED: &[&str] = &[
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
fn eval<'a>(text: &'a str, target: &Target) -> (Truth, &'a str) {
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

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The `cfg` predicates of the attributes written right above line `at`
/// (doc comments in between are skipped).
fn cfgs_above(lines: &[&str], at: usize) -> Vec<String> {
    let own = indent(lines[at]);
    let mut start = at;
    while start > 0 {
        let line = lines[start - 1];
        let trimmed = line.trim_start();
        let attribute_part = trimmed.starts_with("#[")
            || trimmed.starts_with(')')
            || trimmed.starts_with(']')
            || (indent(line) > own && !trimmed.is_empty());
        if trimmed.starts_with("//") || attribute_part {
            start -= 1;
        } else {
            break;
        }
    }
    let text: String = lines[start..at]
        .iter()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| line.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let mut found = Vec::new();
    for (open, _) in text.match_indices("#[cfg(") {
        let body = &text[open + "#[cfg(".len()..];
        let mut depth = 1;
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                found.push(body[..i].to_owned());
                break;
            }
        }
    }
    found
}

/// The `cfg`s of the items, blocks and statements that enclose line `at`
/// (by indentation: the code is `rustfmt`ed), and of the line itself.
fn enclosing_cfgs(lines: &[&str], at: usize) -> Vec<String> {
    let mut found = cfgs_above(lines, at);
    let mut depth = indent(lines[at]);
    for j in (0..at).rev() {
        let trimmed = lines[j].trim_start();
        if trimmed.is_empty() || trimmed.starts_with("//") || trimmed.starts_with("#[") {
            continue;
        }
        if indent(lines[j]) < depth && !trimmed.starts_with(')') && !trimmed.starts_with('}') {
            depth = indent(lines[j]);
            found.extend(cfgs_above(lines, j));
            if depth == 0 {
                break;
            }
        }
    }
    found
}

/// Each `libc::item` named on `line` outside comments and string literals.
fn libc_items(line: &str) -> Vec<String> {
    if line.trim_start().starts_with("//") {
        return Vec::new();
    }
    // Blank out string literals, then drop a trailing comment.
    let mut code = String::new();
    let mut in_string = false;
    let mut previous = ' ';
    for c in line.chars() {
        if c == '"' && previous != '\\' && previous != '\'' {
            in_string = !in_string;
        }
        code.push(if in_string { ' ' } else { c });
        previous = c;
    }
    let code = code.split("//").next().unwrap_or("");
    let mut items = Vec::new();
    for (at, _) in code.match_indices("libc::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = code[at + "libc::".len()..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        items.push(name);
    }
    items
}

/// The `cfg`s on the `mod` declarations from `lib.rs` down to `file`
/// (a path relative to `src/`, with `/` separators).
fn module_cfgs(sources: &BTreeMap<String, String>, file: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut path: Vec<&str> = file.trim_end_matches(".rs").split('/').collect();
    if path.last() == Some(&"mod") {
        path.pop();
    }
    for depth in 0..path.len() {
        let name = match path[depth] {
            "private" if depth == 0 => "__private",
            name => name,
        };
        if name == "lib" {
            continue;
        }
        let parent_dir = path[..depth].join("/");
        let parent = if depth == 0 {
            "lib.rs".to_owned()
        } else if sources.contains_key(&format!("{parent_dir}/mod.rs")) {
            format!("{parent_dir}/mod.rs")
        } else {
            format!("{parent_dir}.rs")
        };
        let text = &sources[&parent];
        let lines: Vec<&str> = text.lines().collect();
        let declaration = lines
            .iter()
            .position(|line| {
                let line = line.trim_end();
                line.ends_with(&format!("mod {name};")) && !line.trim_start().starts_with("//")
            })
            .unwrap_or_else(|| panic!("no `mod {name};` in {parent}"));
        found.extend(cfgs_above(&lines, declaration));
    }
    found
}

/// Every use of a `libc` item that some target compiles without the
/// `libc` crate declaring it there, as messages.
fn violations(sources: &BTreeMap<String, String>, targets: &[Target]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, text) in sources {
        let lines: Vec<&str> = text.lines().collect();
        let outer = module_cfgs(sources, file);
        for (at, line) in lines.iter().enumerate() {
            for item in libc_items(line) {
                let Some(&(_, declared)) = DECLARED.iter().find(|(name, _)| *name == item) else {
                    problems.push(format!(
                        "{file}:{}: libc::{item} is not in DECLARED: look it up in the \
                         libc crate's source for each family and add it (and to PORTABILITY.md)",
                        at + 1
                    ));
                    continue;
                };
                let cfgs: Vec<String> = outer
                    .iter()
                    .cloned()
                    .chain(enclosing_cfgs(&lines, at))
                    .collect();
                for target in targets {
                    let compiled = cfgs
                        .iter()
                        .map(|cfg| eval(cfg, target).0)
                        .all(|truth| truth != Truth::No);
                    if compiled && declared & target.may_use != target.may_use {
                        problems.push(format!(
                            "{file}:{}: libc::{item} is compiled for {} but not declared \
                             there",
                            at + 1,
                            target.name
                        ));
                    }
                }
            }
        }
    }
    problems
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

fn runtime_sources() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            (name, fs::read_to_string(&path).expect("read source"))
        })
        .collect()
}

#[test]
fn every_libc_item_is_declared_wherever_it_is_compiled() {
    let problems = violations(&runtime_sources(), TARGETS);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_check_finds_a_linux_only_item_outside_a_linux_cfg() {
    let sources = |body: &str| -> BTreeMap<String, String> {
        [
            ("lib.rs".to_owned(), "mod base;\n".to_owned()),
            ("base/mod.rs".to_owned(), "mod id;\n".to_owned()),
            ("base/id.rs".to_owned(), body.to_owned()),
        ]
        .into_iter()
        .collect()
    };
    let ungated = "fn id() -> i32 {\n    unsafe { libc::gettid() }\n}\n";
    let problems = violations(&sources(ungated), TARGETS);
    assert!(
        problems.iter().any(|p| p.contains("apple-darwin")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cleanup_runtime_portable")),
        "{problems:?}"
    );
    assert!(
        !problems.iter().any(|p| p.contains("linux-gnu but")),
        "{problems:?}"
    );

    let gated = "#[cfg(all(\n    any(target_os = \"linux\", target_os = \"android\"),\n    \
                 not(cleanup_runtime_portable)\n))]\n/// Docs.\nfn id() -> i32 {\n    \
                 unsafe { libc::gettid() }\n}\n";
    assert_eq!(violations(&sources(gated), TARGETS), Vec::<String>::new());

    let gated_module = "#[cfg(target_os = \"linux\")]\nmod id;\n";
    let mut in_linux_module = sources("fn id() -> i32 {\n    unsafe { libc::gettid() }\n}\n");
    in_linux_module.insert("base/mod.rs".to_owned(), gated_module.to_owned());
    let problems = violations(&in_linux_module, TARGETS);
    assert!(
        problems
            .iter()
            .all(|p| p.contains("cleanup_runtime_portable")),
        "{problems:?}"
    );

    let unknown = violations(&sources("fn f() { libc::sbrk(0); }\n"), TARGETS);
    assert!(unknown[0].contains("not in DECLARED"), "{unknown:?}");
}

/// `libc` structs that have private padding fields on some target (libc's
/// `src/unix/mod.rs` and `linux/gnu/mod.rs`: `timespec` on 32-bit musl with
/// 64-bit time and under glibc's `_TIME_BITS=64`): a struct literal of one
/// compiles here and not there. Build them zeroed.
const PADDED_SOMEWHERE: &[&str] = &["timespec"];

#[test]
fn no_libc_struct_padded_somewhere_is_built_by_a_literal() {
    let mut problems = Vec::new();
    for (file, text) in runtime_sources() {
        for (at, line) in text.lines().enumerate() {
            for name in PADDED_SOMEWHERE {
                if libc_items(line).iter().any(|item| item == name)
                    && line.contains(&format!("libc::{name} {{"))
                {
                    problems.push(format!("{file}:{}: libc::{name} {{ .. }}", at + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
