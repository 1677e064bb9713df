use cleanup_runtime::cleanup;

#[cleanup(name = "flush")]
fn flush<'a>() -> Result<(), &'a str> {
    Ok(())
}

fn main() {}
