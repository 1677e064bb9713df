use cleanup_runtime::cleanup;

#[cleanup(name = "main")]
fn main() -> Result<(), std::io::Error> {
    Ok(())
}
