use cleanup_runtime::{at_exit, cleanup};

const DB: &str = "db-pool";

#[cleanup(name = "cache", after = DB)]
fn cache() {}

#[cleanup(name = "jobs", before = ["db-pool", 3])]
fn jobs() {}

#[at_exit(after = db_pool)]
fn stats() {}

fn main() {}
