use cleanup_runtime::cleanup;

#[cleanup("close-db")]
fn close_db() {}

#[cleanup(name)]
fn drain() {}

#[cleanup(name = "flush" timeout = "2s")]
fn flush() {}

fn main() {}
