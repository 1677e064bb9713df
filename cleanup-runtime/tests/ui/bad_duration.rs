use cleanup_runtime::cleanup;

#[cleanup(name = "drain", timeout = "fast")]
fn drain() {}

#[cleanup(name = "flush", timeout = 2)]
fn flush() {}

fn main() {}
