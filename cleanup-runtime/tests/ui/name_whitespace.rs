use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = " close-db")]
fn close_db() {}

#[at_exit(after = "db ", before = ["jobs", "\tcache"])]
fn flush() {}

fn main() {}
