use cleanup_runtime::at_exit;

#[at_exit]
fn flush() -> i32 {
    0
}

fn main() {}
