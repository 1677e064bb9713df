use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = "cache", after = "db-pool", after = "jobs")]
fn cache() {}

#[at_exit(before = "a", before = "b")]
fn stats() {}

#[cleanup(name = "jobs", after = ["db-pool", "db-pool"])]
fn jobs() {}

#[cleanup(name = "queue", after = "db-pool", before = ["db-pool"])]
fn queue() {}

#[at_exit(timeout = "1s", aftr = "db-pool")]
fn flush() {}

fn main() {}
