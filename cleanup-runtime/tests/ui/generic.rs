use cleanup_runtime::at_exit;

#[at_exit]
fn flush<T: Default>() {
    let _ = T::default();
}

fn main() {}
