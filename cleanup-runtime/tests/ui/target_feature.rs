use cleanup_runtime::at_exit;

#[at_exit]
#[target_feature(enable = "avx2")]
fn flush() {}

fn main() {}
