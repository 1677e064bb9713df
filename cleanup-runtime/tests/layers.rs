//! The layering of `src/` (ARCHITECTURE.md): a folder imports only folders
//! below it, and reaches up only through the `SET_UP` table in `lib.rs`
//! (set-up only); the bottom floor, `base/`, reaches nothing; `helpers/`
//! uses only the public API and the few `base/` items its header names.
//! Read from the source text: every `crate::` path outside comments.

use std::fs;
use std::path::{Path, PathBuf};

/// The folders, lowest first.
const LAYERS: [&str; 8] = [
    "base", "signals", "report", "registry", "run", "shutdown", "process", "helpers",
];

/// What `helpers/` may use besides the public API and itself: the warning
/// line that never waits for std's stderr lock, and thread identities
/// (see `helpers/mod.rs`).
const HELPERS_MAY_USE_OF_BASE: [&str; 3] =
    ["base::diagnostics", "base::text", "base::thread_token"];

/// What any folder may name at the crate root: a leaf, and the seam.
const ROOT_ITEMS_FOR_ALL: [&str; 2] = ["outcome", "SET_UP"];

fn rank(folder: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| *layer == folder)
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

/// The first segment of each `crate::` path in `code`, including each
/// top-level name of a `crate::{a, b::c}` group.
fn crate_paths(code: &str) -> Vec<String> {
    crate_path_heads(code, |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    })
}

/// The first two segments of each `crate::` path in `code` (`base::clock`),
/// as [`crate_paths`] reads them.
fn crate_paths_two_deep(code: &str) -> Vec<String> {
    crate_path_heads(code, |s: &str| -> String {
        let word = |s: &str| -> usize {
            s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(s.len())
        };
        let first = word(s);
        match s[first..].strip_prefix("::") {
            Some(rest) => s[..first + 2 + word(rest)].to_owned(),
            None => s[..first].to_owned(),
        }
    })
}

fn crate_path_heads(code: &str, ident: impl Fn(&str) -> String) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `cleanup_runtime::...` or another crate's path
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        start = false;
                        names.push(ident(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            names.push(ident(rest));
        }
    }
    names
}

#[test]
fn no_folder_imports_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let Some(folder) = relative
            .parent()
            .and_then(|parent| parent.iter().next())
            .and_then(|first| first.to_str())
        else {
            continue; // lib.rs, private.rs, outcome.rs: the facade
        };
        let from = rank(folder).unwrap_or_else(|| panic!("{folder}/ is not a layer"));
        let text = fs::read_to_string(file).expect("read");
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        if folder == "helpers" {
            for path in crate_paths_two_deep(&code) {
                let head = path.split("::").next().unwrap_or_default();
                let allowed = match rank(head) {
                    Some(_) => {
                        head == "helpers" || HELPERS_MAY_USE_OF_BASE.contains(&path.as_str())
                    }
                    // The public API at the root; never `__private`.
                    None => !head.starts_with("__") && head != "SET_UP",
                };
                if !allowed {
                    wrong.push(format!("{} uses crate::{path}", relative.display()));
                }
            }
            continue;
        }
        for name in crate_paths(&code) {
            let allowed = match rank(&name) {
                Some(to) => to <= from,
                // The bottom floor reaches nothing above it, not even the
                // seam.
                None => folder != "base" && ROOT_ITEMS_FOR_ALL.contains(&name.as_str()),
            };
            if !allowed {
                wrong.push(format!("{} uses crate::{name}", relative.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_path_reader_sees_groups_and_skips_other_crates() {
    assert_eq!(
        crate_paths("use crate::{base::clock, process::{fork, watchdog}, run};"),
        ["base", "process", "run"]
    );
    assert_eq!(
        crate_paths("cleanup_runtime::x; crate::SET_UP.activate"),
        ["SET_UP"]
    );
    assert_eq!(
        crate_paths_two_deep("crate::base::clock::now(); crate::{run::runner, lib}"),
        ["base::clock", "run::runner", "lib"]
    );
}
