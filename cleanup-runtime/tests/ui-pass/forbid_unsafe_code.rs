//! A crate that forbids `unsafe` code can still declare named cleanups: the
//! `export_name` of the duplicate-name guard belongs to the macro.

#![forbid(unsafe_code)]
#![deny(warnings)]

use cleanup_runtime::{at_exit, cleanup};

#[at_exit]
fn flush() {}

#[cleanup(name = "close-db", timeout = "2s")]
fn close_db() {}

fn main() {
    flush();
    close_db();
}
