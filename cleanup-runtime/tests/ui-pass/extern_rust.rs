//! `extern "Rust"` is the ABI every plain `fn` has: accepted.

use cleanup_runtime::at_exit;

#[at_exit]
extern "Rust" fn flush() {}

fn main() {
    let report = cleanup_runtime::run_now();
    assert_eq!(report.entries()[0].name(), concat!(module_path!(), "::flush"));
}
