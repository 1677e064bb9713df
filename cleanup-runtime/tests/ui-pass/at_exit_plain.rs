//! `#[at_exit]` on a plain function, which can still be called directly.

#![deny(warnings)]

use cleanup_runtime::at_exit;

#[at_exit]
fn flush_metrics() {}

fn main() {
    flush_metrics();
}
