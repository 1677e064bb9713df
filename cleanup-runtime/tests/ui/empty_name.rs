use cleanup_runtime::cleanup;

#[cleanup(name = "")]
fn close_db() {}

#[cleanup(name = "   ")]
fn drain() {}

#[cleanup(name = "line\nbreak")]
fn flush() {}

fn main() {}
