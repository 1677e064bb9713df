use cleanup_runtime::cleanup;

#[cleanup(name = "close-db", priority = 3)]
fn close_db() {}

fn main() {}
