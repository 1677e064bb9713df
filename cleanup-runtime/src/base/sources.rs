//! The crate's own sources, for the unit tests that hold a rule over them
//! (no module but `environment` reads the environment; nothing that every
//! program links names the planning of constraints).

use std::path::PathBuf;

/// Each `.rs` file under `src/`: its file name, and its lines of code up
/// to its unit tests (`#[cfg(test)] mod tests`), comment lines left out.
/// A file's tests may do what its code must not (set up a child process
/// with a variable of their own, call a step directly).
pub(crate) fn code_lines() -> Vec<(String, Vec<String>)> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the crate's sources") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            let lines = code
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .map(str::to_owned)
                .collect();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((name, lines));
        }
    }
    files
}
