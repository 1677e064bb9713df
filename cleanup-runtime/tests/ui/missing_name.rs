use cleanup_runtime::cleanup;

#[cleanup]
fn close_db() {}

#[cleanup(timeout = "2s")]
fn drain() {}

fn main() {}
