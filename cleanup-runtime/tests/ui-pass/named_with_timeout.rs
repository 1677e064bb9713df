//! `#[cleanup]` with a name and a timeout, and the return types a cleanup
//! may have, including aliases.

#![deny(warnings)]

use std::io;

use cleanup_runtime::cleanup;

#[cleanup(name = "close-db")]
fn close_db() -> Result<(), std::io::Error> {
    Ok(())
}

#[cleanup(name = "drain", timeout = "2s")]
fn drain() {}

#[cleanup(timeout = "1m 30s", name = "flush")]
fn flush() -> io::Result<()> {
    Ok(())
}

type Outcome = Result<(), String>;

#[rustfmt::skip]
#[cleanup(name = "upload", timeout = "300ms",)]
fn upload() -> Outcome {
    Ok(())
}

#[cleanup(name = r"raw \ string")]
fn raw_name() {}

#[cleanup(name = "with \"quotes\" and \\ backslash")]
fn quoted_name() {}

fn main() {
    close_db().unwrap();
    drain();
    flush().unwrap();
    upload().unwrap();
    raw_name();
    quoted_name();
}
