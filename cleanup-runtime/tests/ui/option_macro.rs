use cleanup_runtime::cleanup;

#[cleanup(name = concat!("close", "-db"))]
fn close_db() {}

#[cleanup(name = "drain", timeout = stringify!(2s), after = [env!("HOME")])]
fn drain() {}

fn main() {}
