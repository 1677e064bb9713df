use cleanup_runtime::{at_exit, cleanup};

mod names {
    pub const EMPTY: &str = "";
    pub const PADDED: &str = "db ";
    pub const CACHE: &str = "cache";
}

#[cleanup(name = "cache", after = names::CACHE)]
fn cache() {}

#[cleanup(name = "jobs", before = names::EMPTY)]
fn jobs() {}

#[at_exit(after = names::PADDED)]
fn stats() {}

#[at_exit(after = [names::CACHE, names::CACHE])]
fn twice() {}

fn main() {}
