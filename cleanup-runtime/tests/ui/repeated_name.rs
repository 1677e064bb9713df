use cleanup_runtime::cleanup;

#[cleanup(name = "close-db", name = "db")]
fn close_db() {}

fn main() {}
