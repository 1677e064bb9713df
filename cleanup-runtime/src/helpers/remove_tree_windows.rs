//! Removing a tracked path (Windows): by path, with std. A directory
//! symlink or junction is removed itself (`symlink_metadata` does not
//! follow it, and `remove_dir_all` does not descend into one); the Unix
//! handle-relative walk, mount and permission rules are Unix-only
//! (PORTABILITY.md, "Windows").

use std::io;
use std::path::Path;

/// Removes `path`: a file or a link itself, or a directory with
/// everything in it. A path already gone is fine.
pub(crate) fn remove(path: &Path) -> io::Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(meta) if meta.is_symlink() => {
            std::fs::remove_dir(path).or_else(|_| std::fs::remove_file(path))
        }
        Ok(_) => std::fs::remove_file(path),
        Err(error) => Err(error),
    };
    match removed {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
