//! Report names for paths that never collide: `temp: <path>`,
//! `pid file: <path>`.
//!
//! A helper registers with [`register_named`](crate::register_named), and a
//! second registration under the same name replaces the first. So two
//! paths must never get one name, whatever their bytes: `Path::display`
//! is lossy (`a\xff` and `a\xfe` both show as `a\u{FFFD}`) and cannot be
//! the key.

use std::fmt::Write;
use std::path::Path;

/// `<kind>: <path>`, with the path as it reads when it is UTF-8 without a
/// backslash or a control character (the usual case), else escaped: a
/// backslash as `\\`, a control character or a byte that is not UTF-8 as
/// `\xNN`. Distinct paths get distinct names: a name with a backslash
/// came from the escaped form, which decodes back to one path.
pub(crate) fn for_path(kind: &str, path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let plain = std::str::from_utf8(bytes)
        .ok()
        .filter(|text| !text.chars().any(|c| c == '\\' || c.is_control()));
    let mut name = format!("{kind}: ");
    match plain {
        Some(text) => name.push_str(text),
        None => {
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '\\' => name.push_str("\\\\"),
                        c if c.is_control() && c.is_ascii() => {
                            let _ = write!(name, "\\x{:02x}", c as u32);
                        }
                        c if c.is_control() => {
                            let _ = write!(name, "\\u{{{:x}}}", c as u32);
                        }
                        c => name.push(c),
                    }
                }
                for byte in chunk.invalid() {
                    let _ = write!(name, "\\x{byte:02x}");
                }
            }
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::for_path;
    use std::path::Path;

    #[test]
    fn a_plain_path_reads_as_it_is() {
        assert_eq!(for_path("temp", Path::new("/tmp/é x")), "temp: /tmp/é x");
    }

    #[cfg(unix)]
    #[test]
    fn paths_differing_in_bytes_that_are_not_utf8_get_two_names() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let name = |bytes: &[u8]| for_path("temp", Path::new(OsStr::from_bytes(bytes)));
        assert_eq!(name(b"a\xff"), "temp: a\\xff");
        assert_ne!(name(b"a\xff"), name(b"a\xfe"));
        // The escaped form of one path is never another path read plainly.
        assert_ne!(name(b"a\xff"), name(b"a\\xff"));
        assert_eq!(name(b"a\\xff"), "temp: a\\\\xff");
        assert_eq!(name(b"a\nb"), "temp: a\\x0ab");
    }
}
