//! Substring search and replacement by a plain byte scan. `str::contains`,
//! `find` and `replace` with a `&str` compile std's two-way searcher and
//! its SIMD prefilter into the crate (about 2,500 lines of LLVM IR in a
//! debug build, about 3 KB in every program); the runtime searches only
//! short messages and type names, off every hot path, where a scan does as
//! well and keeps the crate's own build light.

/// Where `needle` first occurs in `haystack`, as `str::find` answers.
pub(crate) fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// `text` with every `from` replaced by `to`, as `str::replace` gives it
/// (for a `from` that is not empty).
pub(crate) fn replace(text: &str, from: &str, to: &str) -> String {
    debug_assert!(!from.is_empty());
    let mut replaced = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find(rest, from) {
        replaced.push_str(&rest[..at]);
        replaced.push_str(to);
        rest = &rest[at + from.len()..];
    }
    replaced.push_str(rest);
    replaced
}

#[cfg(test)]
mod tests {
    use super::{contains, find, replace};

    #[test]
    fn finds_what_str_contains_finds() {
        for (haystack, needle) in [
            ("", ""),
            ("abc", ""),
            ("abc", "abc"),
            ("abc", "bc"),
            ("abc", "abcd"),
            ("aab", "ab"),
            ("a: b: c", ": c"),
            ("héllo", "é"),
            ("broken pipe", "pipe "),
        ] {
            assert_eq!(
                contains(haystack, needle),
                haystack.contains(needle),
                "{haystack:?} {needle:?}"
            );
            assert_eq!(find(haystack, needle), haystack.find(needle));
        }
    }

    #[test]
    fn replaces_what_str_replace_replaces() {
        for (text, from) in [
            ("", "{{closure}}"),
            ("a::{{closure}}", "{{closure}}"),
            ("{{closure}}{{closure}}", "{{closure}}"),
            ("X<{{closure}}, é::{{closure}}>::f", "{{closure}}"),
            ("aaa", "aa"),
            ("none here", "{{closure}}"),
        ] {
            assert_eq!(
                replace(text, from, "{closure}"),
                text.replace(from, "{closure}")
            );
        }
    }
}
