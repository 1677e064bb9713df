use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = )]
fn close_db() {}

#[cleanup(name = "drain", timeout =, after = "db")]
fn drain() {}

#[at_exit(after = ["db" "jobs"])]
fn flush() {}

#[at_exit(3)]
fn stats() {}

#[at_exit(after = "db",, before = "jobs")]
fn audit() {}

fn main() {}
