use cleanup_runtime::{at_exit, cleanup};

// A raw identifier is the same key: this one is accepted.
#[cleanup(r#name = "close-db", r#timeout = "1s")]
fn close_db() {}

#[cleanup(name = "drain", r#nmae = "x")]
fn drain() {}

#[at_exit(r#name = "flush")]
fn flush() {}

fn main() {}
