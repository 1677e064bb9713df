//! A 2015-edition program with cleanups: no `extern crate`, the paths of
//! that edition, both attributes with their options.

mod store {
    /// Runs last: `store-flush` is declared first.
    #[cleanup_runtime::cleanup(name = "store-flush", timeout = "5s")]
    pub fn flush() -> Result<(), String> {
        println!("ran store-flush");
        Ok(())
    }
}

/// Runs first, and before `store-flush`.
#[cleanup_runtime::at_exit(before = "store-flush")]
fn close() {
    println!("ran edition2015::close");
}

fn main() {
    let _ = store::flush;
    println!("main: done");
}
