use cleanup_runtime::{at_exit, cleanup};

mod names {
    pub const RETRIES: u32 = 3;
    pub const OWNED: String = String::new();
    pub fn pool() -> &'static str {
        "db-pool"
    }
}

#[cleanup(name = "cache", after = names::RETRIES)]
fn cache() {}

#[cleanup(name = "jobs", before = ["db-pool", names::OWNED])]
fn jobs() {}

#[at_exit(after = names::pool)]
fn stats() {}

#[at_exit(before = names::MISSPELT)]
fn audit() {}

fn main() {}
