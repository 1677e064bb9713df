use cleanup_runtime::cleanup;

#[cleanup(name = "drain", timeout = "2s", timeout = "3s")]
fn drain() {}

fn main() {}
