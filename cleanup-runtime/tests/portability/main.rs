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

mod declared;
mod source;
mod targets;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use declared::{DECLARED, PADDED_SOMEWHERE};
use source::{cfg_groups, enclosing_cfgs, libc_items, module_cfgs};
use targets::{TARGETS, Target, Truth, eval};

/// Every use of a `libc` item that some target compiles without the
/// `libc` crate declaring it there, as messages.
fn violations(sources: &BTreeMap<String, String>, targets: &[Target]) -> Vec<String> {
    let mut problems = Vec::new();
    let groups = cfg_groups(sources);
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
                    .chain(enclosing_cfgs(&lines, at, &groups))
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
fn a_platform_group_of_cfg_rs_gates_what_it_wraps() {
    let group = "macro_rules! cfg_linux_native {\n    ($($item:item)*) => {\n        $(\n            \
                 #[cfg(all(target_os = \"linux\", not(cleanup_runtime_portable)))]\n            \
                 $item\n        )*\n    };\n}\n";
    let sources = |body: &str| -> BTreeMap<String, String> {
        [
            (
                "lib.rs".to_owned(),
                "#[macro_use]\nmod cfg;\nmod base;\n".to_owned(),
            ),
            ("cfg.rs".to_owned(), group.to_owned()),
            ("base/mod.rs".to_owned(), "mod id;\n".to_owned()),
            ("base/id.rs".to_owned(), body.to_owned()),
        ]
        .into_iter()
        .collect()
    };
    let wrapped =
        "cfg_linux_native! {\n    fn id() -> i32 {\n        unsafe { libc::gettid() }\n    }\n}\n";
    assert_eq!(violations(&sources(wrapped), TARGETS), Vec::<String>::new());
    let other = "cfg_other! {\n    fn id() -> i32 {\n        unsafe { libc::gettid() }\n    }\n}\n";
    assert!(
        violations(&sources(other), TARGETS)
            .iter()
            .any(|p| p.contains("apple-darwin"))
    );
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
        problems.iter().any(|p| p.contains("windows-msvc")),
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

#[test]
fn a_module_s_windows_file_is_checked_for_windows_and_its_unix_file_for_the_rest() {
    let sources = |unix_body: &str, windows_body: &str| -> BTreeMap<String, String> {
        [
            ("lib.rs".to_owned(), "mod base;\n".to_owned()),
            (
                "base/mod.rs".to_owned(),
                "#[cfg_attr(windows, path = \"block_windows.rs\")]\nmod block;\n".to_owned(),
            ),
            ("base/block.rs".to_owned(), unix_body.to_owned()),
            ("base/block_windows.rs".to_owned(), windows_body.to_owned()),
        ]
        .into_iter()
        .collect()
    };
    let pause = "fn wait() {\n    unsafe { libc::pause() };\n}\n";
    let exit = "fn wait() {\n    unsafe { libc::_exit(0) };\n}\n";
    assert_eq!(
        violations(&sources(pause, exit), TARGETS),
        Vec::<String>::new()
    );
    let problems = violations(&sources(pause, pause), TARGETS);
    assert!(
        !problems.is_empty()
            && problems
                .iter()
                .all(|p| p.contains("block_windows.rs") && p.contains("windows-msvc")),
        "{problems:?}"
    );
}

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
