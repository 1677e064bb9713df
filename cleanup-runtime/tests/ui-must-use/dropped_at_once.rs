// Guards whose drop releases at once, and results that carry an inner
// `io::Result`: dropping them unseen is an error under
// `deny(unused_must_use)`.
#![deny(unused_must_use)]

use std::io::Write;

use cleanup_runtime::pidfile::PidFile;
use cleanup_runtime::{ResourceGuard, drop_at_exit, temp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    PidFile::create("/tmp/never-written.pid")?;
    ResourceGuard::new(7, |n| println!("released {n}"));
    temp::dir()?;
    let log = drop_at_exit(Vec::<u8>::new());
    log.with(|out| writeln!(out, "a write error would vanish here"));
    cleanup_runtime::report();
    Ok(())
}
