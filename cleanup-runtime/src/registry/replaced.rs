//! A named registration that replaces a cleanup another crate made: one
//! line on stderr and a report warning, since two crates that use one name
//! for two cleanups lose one of them without a word otherwise.
//!
//! "Another crate" is told by source paths, the only thing a run-time
//! registration carries (`#[track_caller]`'s `Location::file`): a file's
//! package is what comes before its last `src` directory (`src/main.rs` →
//! the package at the root; `~/.cargo/registry/.../db-1.2.0/src/lib.rs` →
//! `db-1.2.0`; `crates/app/src/bin/x.rs` → `crates/app`), or its own
//! directory when it is under no `src` (`examples/tour.rs`). So a
//! library's binary and its library count as one package, and a file
//! outside any `src` directory is its own. A replacement within one
//! package is the ordinary use of names and says nothing.

use std::panic::Location;

use crate::base::diagnostics;
use crate::base::entry::Entry;
use crate::registry;
use crate::report::Warning;

/// Warns if `replaced` came from another package than `caller`.
#[cold]
pub(crate) fn note(replaced: &Entry, caller: &'static Location<'static>) {
    let before = replaced.origin.file();
    if package_of(before) == package_of(caller.file()) {
        return;
    }
    let warning = Warning::ReplacedAcrossCrates {
        name: replaced.name().unwrap_or_default().to_owned(),
        replaced: replaced.origin.source().to_string(),
        by: format!("{}:{}", caller.file(), caller.line()),
    };
    diagnostics::warn(format_args!("{warning}"));
    registry::lock().entries.add_warning(warning);
}

/// The package directory of a source file, as described above.
fn package_of(file: &str) -> &str {
    let parts = file.char_indices().filter(|&(_, c)| c == '/' || c == '\\');
    let mut package = None;
    let mut start = 0;
    for (at, _) in parts {
        if &file[start..at] == "src" {
            package = Some(&file[..start]);
        }
        start = at + 1;
    }
    package.unwrap_or(&file[..start])
}

#[cfg(test)]
mod tests {
    use super::package_of;

    #[test]
    fn a_file_belongs_to_the_directory_above_its_last_src() {
        assert_eq!(package_of("src/main.rs"), "");
        assert_eq!(package_of("src/bin/tool.rs"), "");
        assert_eq!(package_of("tests/src/bin/handles.rs"), "tests/");
        assert_eq!(package_of("tests/pool-lib/src/lib.rs"), "tests/pool-lib/");
        assert_eq!(
            package_of("/home/u/.cargo/registry/src/index.crates.io-1/db-1.2.0/src/lib.rs"),
            "/home/u/.cargo/registry/src/index.crates.io-1/db-1.2.0/"
        );
        assert_eq!(package_of(r"C:\work\app\src\main.rs"), r"C:\work\app\");
        assert_eq!(package_of("examples/tour.rs"), "examples/");
        assert_eq!(package_of("main.rs"), "");
    }
}
