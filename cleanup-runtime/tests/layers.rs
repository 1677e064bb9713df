//! The layering of `src/` (ARCHITECTURE.md): a folder imports only folders
//! below it, and reaches up only through the `UPWARD` table in `lib.rs`.
//! Read from the source text: every `crate::` path outside comments.

use std::fs;
use std::path::{Path, PathBuf};

/// The folders, lowest first.
const LAYERS: [&str; 7] = [
    "base", "report", "registry", "run", "signals", "process", "helpers",
];

/// What any folder may name at the crate root: a leaf, and the seam.
const ROOT_ITEMS_FOR_ALL: [&str; 2] = ["outcome", "UPWARD"];

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
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
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
        for name in crate_paths(&code) {
            let allowed = match rank(&name) {
                Some(to) => to <= from,
                None => {
                    ROOT_ITEMS_FOR_ALL.contains(&name.as_str())
                        || (folder == "helpers" && !name.starts_with("__"))
                }
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
        crate_paths("cleanup_runtime::x; crate::UPWARD.activate"),
        ["UPWARD"]
    );
}
