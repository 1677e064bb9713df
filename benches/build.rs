//! With feature `statics10k`: writes `statics10k.rs` into `OUT_DIR`, 10,000
//! `#[at_exit]` functions for `fx-statics10k`, and `statics10k_ordered.rs`,
//! the same with one ordering constraint in ten for
//! `fx-statics10k-ordered`. Without it: empty files, so the ordinary build
//! stays cheap.

use std::fmt::Write as _;

/// How many `#[at_exit]` functions `fx-statics10k` gets.
const COUNT: usize = 10_000;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = std::path::Path::new(&out);
    let wanted = std::env::var_os("CARGO_FEATURE_STATICS10K").is_some();
    let ordered = if wanted { ordered() } else { String::new() };
    std::fs::write(out.join("statics10k_ordered.rs"), ordered).expect("OUT_DIR is writable");
    let path = out.join("statics10k.rs");
    let mut code = String::new();
    if wanted {
        // One per line so each has its own source position. The first
        // declared runs last: it reports the time of the run at exit.
        code.push_str("#[::cleanup_runtime::at_exit]\nfn s00000() { crate::last_cleanup(); }\n");
        for i in 1..COUNT {
            writeln!(code, "#[::cleanup_runtime::at_exit]\nfn s{i:05}() {{}}").unwrap();
        }
    }
    std::fs::write(path, code).expect("OUT_DIR is writable");
}

/// The 10,000 with one constraint in ten: every tenth cleanup (from the
/// tenth on) is named, `sNNNNN`, and each one ending in 5 runs after the
/// named one five below it (`s00005` after `s00010`): LIFO would run it
/// first. The first declared still runs last.
fn ordered() -> String {
    let mut code =
        String::from("#[::cleanup_runtime::at_exit]\nfn s00000() { crate::last_cleanup(); }\n");
    for i in 1..COUNT {
        let attribute = match i % 10 {
            0 => format!("cleanup(name = \"s{i:05}\")"),
            5 => format!("at_exit(after = \"s{:05}\")", (i - 5).max(10)),
            _ => "at_exit".to_owned(),
        };
        writeln!(code, "#[::cleanup_runtime::{attribute}]\nfn s{i:05}() {{}}").unwrap();
    }
    code
}
