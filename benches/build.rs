//! With feature `statics10k`: writes `statics10k.rs` into `OUT_DIR`, 10,000
//! `#[at_exit]` functions for `fx-statics10k`. Without it: an empty file, so
//! the ordinary build stays cheap.

use std::fmt::Write as _;

/// How many `#[at_exit]` functions `fx-statics10k` gets.
const COUNT: usize = 10_000;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let path = std::path::Path::new(&out).join("statics10k.rs");
    let mut code = String::new();
    if std::env::var_os("CARGO_FEATURE_STATICS10K").is_some() {
        // One per line so each has its own source position. The first
        // declared runs last: it reports the time of the run at exit.
        code.push_str("#[::cleanup_runtime::at_exit]\nfn s00000() { crate::last_cleanup(); }\n");
        for i in 1..COUNT {
            writeln!(code, "#[::cleanup_runtime::at_exit]\nfn s{i:05}() {{}}").unwrap();
        }
    }
    std::fs::write(path, code).expect("OUT_DIR is writable");
}
