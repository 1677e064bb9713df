use cleanup_runtime::{at_exit, cleanup};

const DB: &str = "db-pool";

#[cleanup(name = "cache", after = DB.trim())]
fn cache() {}

#[cleanup(name = "jobs", before = ["db-pool", 3])]
fn jobs() {}

#[at_exit(after = Vec::<u8>::NAME)]
fn stats() {}

fn main() {}
