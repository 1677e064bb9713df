use cleanup_runtime::{at_exit, cleanup};

#[at_exit]
#[test]
fn flushes() {}

#[cleanup(name = "checked")]
#[core::prelude::v1::test]
fn checked() {}

fn main() {}
