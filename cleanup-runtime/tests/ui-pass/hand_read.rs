// What the attributes' own reader of tokens accepts: string literals with
// escapes, line continuations and raw strings (their value, not their
// spelling, is the name), every visibility, `const fn`, a return type
// with `->` in it, and functions and values handed in through
// `macro_rules!` fragments (`$v:vis`, `$t:ty`, `$i:item`).

use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = "close\x2ddb", timeout = "1\u{73}")]
fn close_db() {}

#[cleanup(name = r#"say "bye""#, after = ["close\u{2d}db"])]
fn say_bye() {}

#[cleanup(name = "drain-\
                  queue")]
fn drain() {}

#[cleanup(name = r"raw\n")]
fn raw() {}

mod x {
    pub struct Failed<F>(std::marker::PhantomData<F>);

    impl<F> std::fmt::Display for Failed<F> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("failed")
        }
    }

    pub mod y {
        #[cleanup_runtime::at_exit]
        pub(in crate::x) fn in_path() {}

        #[cleanup_runtime::at_exit]
        pub(crate) const fn in_crate() {}

        #[cleanup_runtime::at_exit]
        pub(super) fn in_super() -> Result<(), super::Failed<fn() -> u8>> {
            Ok(())
        }
    }
}

macro_rules! with_fragments {
    ($vis:vis, $ty:ty, $item:item) => {
        #[at_exit]
        $vis fn with_vis() -> $ty {
            Ok(())
        }

        #[at_exit]
        $item
    };
}

with_fragments!(pub, Result<(), std::io::Error>, fn from_item() {});

macro_rules! empty_vis {
    ($vis:vis, $name:ident) => {
        #[at_exit]
        $vis fn $name() {}
    };
}

empty_vis!(, no_vis);

fn main() {
    let report = cleanup_runtime::run_now();
    let mut names: Vec<String> = report
        .entries()
        .iter()
        .map(|entry| entry.name().to_owned())
        .map(|name| name.replace(module_path!(), "crate"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "close-db",
            "crate::from_item",
            "crate::no_vis",
            "crate::with_vis",
            "crate::x::y::in_crate",
            "crate::x::y::in_path",
            "crate::x::y::in_super",
            "drain-queue",
            "raw\\n",
            "say \"bye\"",
        ]
    );
}
