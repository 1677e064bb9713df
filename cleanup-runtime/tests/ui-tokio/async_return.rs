use cleanup_runtime::cleanup;

#[cleanup(name = "flush")]
async fn flush() -> Result<u8, std::io::Error> {
    Ok(1)
}

#[cleanup(name = "count")]
async fn count() -> Vec<u8> {
    Vec::new()
}

fn main() {}
