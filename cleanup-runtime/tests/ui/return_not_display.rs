use cleanup_runtime::cleanup;

#[derive(Debug)]
struct NotDisplay;

#[cleanup(name = "close-db")]
fn close_db() -> Result<(), NotDisplay> {
    Ok(())
}

fn main() {}
