use cleanup_runtime::{at_exit, cleanup};

#[at_exit]
#[cleanup(name = "flush")]
fn flush() {}

fn main() {}
