use cleanup_runtime::{at_exit, cleanup};

// Items that are not a function with a body: each is the same error, and
// the item is still emitted as written.
trait Pool {
    #[at_exit]
    fn close_all();
}

#[cleanup(name = "fs")]
use std::fs;

unsafe extern "C" {
    #[at_exit]
    safe fn abs(value: i32) -> i32;
}

#[at_exit]
const LIMIT: u8 = 3;

fn main() {
    let _ = fs::remove_file("");
}
