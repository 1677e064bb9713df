use cleanup_runtime::cleanup;

#[cleanup(name = "close-db")]
fn close_db() {}

mod pool {
    #[cleanup_runtime::cleanup(name = "close-db")]
    fn close_pool() {}
}

fn main() {}
