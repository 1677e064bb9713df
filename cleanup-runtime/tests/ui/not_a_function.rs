use cleanup_runtime::at_exit;

#[at_exit]
struct Flush;

fn main() {}
