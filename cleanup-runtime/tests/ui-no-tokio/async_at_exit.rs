use cleanup_runtime::at_exit;

#[at_exit]
async fn flush() {}

fn main() {}
