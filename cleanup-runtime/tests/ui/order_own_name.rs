use cleanup_runtime::cleanup;

#[cleanup(name = "cache", after = "cache")]
fn cache() {}

#[cleanup(before = ["db-pool", "jobs"], name = "jobs")]
fn jobs() {}

fn main() {}
