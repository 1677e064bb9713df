use cleanup_runtime::at_exit;

#[at_exit("flush")]
fn flush() {}

#[at_exit = "close"]
fn close() {}

fn main() {}
