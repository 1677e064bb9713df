//! The runtime renamed in Cargo.toml, and the attribute without
//! `crate = ::exitclean`: the build fails with one error that says to add it.

#[exitclean::at_exit]
fn flush() {}

fn main() {}
