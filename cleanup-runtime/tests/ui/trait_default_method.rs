use cleanup_runtime::at_exit;

trait Pool {
    #[at_exit]
    fn close_all() {}
}

fn main() {}
