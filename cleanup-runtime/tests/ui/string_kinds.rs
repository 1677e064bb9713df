use cleanup_runtime::{at_exit, cleanup};

// Byte and C strings are not names, whatever they hold.
#[cleanup(name = b"close-db")]
fn close_db() {}

#[at_exit(after = [c"close-db"])]
fn flush() {}

// An escape is read as the compiler reads it: this name starts with a space.
#[cleanup(name = "\x20drain")]
fn drain() {}

#[cleanup(name = r#"jobs "#)]
fn jobs() {}

fn main() {}
