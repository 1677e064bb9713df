//! Substring search by a plain byte scan. `str::contains` with a `&str`
//! compiles std's two-way searcher and its SIMD prefilter into the crate
//! (about 2,500 lines of LLVM IR in a debug build); the runtime searches
//! only short messages, off every hot path, where a scan does as well and
//! keeps the crate's own build light.

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return true;
    }
    let mut start = 0;
    while start + needle.len() <= haystack.len() {
        if haystack[start..start + needle.len()] == *needle {
            return true;
        }
        start += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::contains;

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
        }
    }
}
