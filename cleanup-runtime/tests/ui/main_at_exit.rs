use cleanup_runtime::at_exit;

#[at_exit]
fn main() {}
