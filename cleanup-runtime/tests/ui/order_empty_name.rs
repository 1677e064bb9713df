use cleanup_runtime::{at_exit, cleanup};

#[cleanup(name = "cache", after = "")]
fn cache() {}

#[cleanup(name = "jobs", before = ["db-pool", "  "])]
fn jobs() {}

#[at_exit(after = [])]
fn stats() {}

fn main() {}
