use cleanup_runtime::cleanup;

#[cleanup(name = "flush", timeout = "2s")]
async fn flush() -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {}
