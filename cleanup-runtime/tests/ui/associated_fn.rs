use cleanup_runtime::at_exit;

struct Db;

impl Db {
    #[at_exit]
    fn close_all() {}
}

fn main() {}
