//! With feature `tokio`, `async fn` under both attributes, returning `()`
//! or `Result<(), E: Display>`, compiles without warnings and runs, in
//! order, with the errors described as for a plain `fn`.

use std::time::Duration;

use cleanup_runtime::{EntryStatus, at_exit, cleanup};

#[derive(Debug)]
struct Closing(std::io::Error);

impl std::fmt::Display for Closing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("closing")
    }
}

impl std::error::Error for Closing {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[at_exit]
async fn plain() {
    tokio::time::sleep(Duration::from_millis(1)).await;
}

#[cleanup(name = "with-source", timeout = "5s")]
async fn with_source() -> Result<(), Closing> {
    Err(Closing(std::io::Error::other("reset")))
}

#[cleanup(name = "displayed")]
async fn displayed() -> Result<(), String> {
    Err("no broker".to_owned())
}

fn main() {
    let report = cleanup_runtime::run_now();
    let entries = report.entries();
    assert_eq!(entries.len(), 3);
    // Reverse source order, as for any static.
    assert_eq!(entries[0].name(), "displayed");
    assert_eq!(entries[0].error(), Some("no broker"));
    assert_eq!(entries[1].name(), "with-source");
    assert_eq!(entries[1].error(), Some("closing: reset"));
    assert_eq!(entries[2].status(), EntryStatus::Ok);
}
