use cleanup_runtime::cleanup;

#[cleanup(name = 3)]
fn close_db() {}

const NAME: &str = "drain";

#[cleanup(name = NAME)]
fn drain() {}

fn main() {}
