//! Options handed in through `macro_rules!` fragments of every kind mean
//! what the tokens written out mean; a raw identifier is the same key.

use cleanup_runtime::{at_exit, cleanup};

macro_rules! with_literal {
    ($function:ident, $name:literal, $timeout:literal, $after:literal, $runtime:path) => {
        #[cleanup(name = $name, timeout = $timeout, after = $after, crate = $runtime)]
        fn $function() {}
    };
}

macro_rules! with_expr {
    ($function:ident, $name:expr, $timeout:expr, $before:expr) => {
        #[cleanup(name = $name, timeout = $timeout, before = $before)]
        fn $function() {}
    };
}

macro_rules! with_tt {
    ($function:ident, $name:tt, $after:tt) => {
        #[cleanup(name = $name, after = $after)]
        fn $function() {}

        #[at_exit(before = $name, crate = ::cleanup_runtime)]
        fn at_exit_with_tt() {}
    };
}

/// Nested fragments: a `$x:expr` handed on as a `$y:literal`'s caller
/// would, through two macros.
macro_rules! outer {
    ($name:expr) => {
        with_expr!(nested, $name, "1s", ["from-literal"]);
    };
}

with_literal!(
    from_literal,
    "from-literal",
    "2s",
    "from-expr",
    ::cleanup_runtime
);
with_expr!(from_expr, "from-expr", "300ms", ["from-tt", "absent"]);
with_tt!(from_tt, "from-tt", ["from-literal"]);
outer!("nested");

#[cleanup(r#name = "raw-keys", r#timeout = "1s", r#after = "from-tt")]
fn raw_keys() {}

fn main() {
    let report = cleanup_runtime::report();
    let mut names: Vec<String> = report
        .pending()
        .iter()
        .map(|entry| entry.name().to_owned())
        .filter(|name| !name.ends_with("::at_exit_with_tt"))
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["from-expr", "from-literal", "from-tt", "nested", "raw-keys"]
    );
    assert_eq!(report.pending().len(), 6);
}
