use cleanup_runtime::at_exit;

// `->` inside the generics is not the return type: the whole of `<...>`
// is underlined.
#[at_exit]
fn run<F: Fn() -> u8, T: Into<Vec<u8>>>() -> Result<(), Box<dyn Fn() -> u8>> {
    Ok(())
}

mod x {
    // The reader gets past `pub(in crate::x)` to the parameters.
    #[cleanup_runtime::at_exit]
    pub(in crate::x) fn flush(force: bool) {
        let _ = force;
    }
}

fn main() {}
