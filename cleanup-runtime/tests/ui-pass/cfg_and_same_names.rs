//! What the constant named after each cleanup function must leave alone:
//! a `cfg` under the attribute, one name under two exclusive `cfg`s, one
//! function name in two modules, a function nested in another.

use cleanup_runtime::at_exit;

#[at_exit]
#[cfg(unix)]
fn flush() {}

#[at_exit]
#[cfg(not(unix))]
fn flush() {}

#[at_exit]
#[cfg(any())]
fn never_compiled() {}

mod a {
    #[cleanup_runtime::at_exit]
    pub fn close() {}
}

mod b {
    #[cleanup_runtime::cleanup(name = "b-close")]
    pub fn close() {}
}

fn main() {
    #[at_exit]
    fn nested() {}

    let report = cleanup_runtime::run_now();
    let mut names: Vec<_> = report.entries().iter().map(|e| e.name()).collect();
    names.sort_unstable();
    let root = module_path!();
    assert_eq!(
        names,
        [
            "b-close".to_owned(),
            format!("{root}::a::close"),
            format!("{root}::flush"),
            format!("{root}::nested"),
        ]
    );
}
