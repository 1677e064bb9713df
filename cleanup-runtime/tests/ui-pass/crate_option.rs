// `crate = ::path`: the runtime reached through a re-export (here a module
// of this crate standing in for a framework that re-exports it), on both
// attributes, with the other options beside it.
mod framework {
    pub use cleanup_runtime as rt;
}

#[framework::rt::at_exit(crate = crate::framework::rt)]
fn flush() {}

#[framework::rt::cleanup(name = "close", timeout = "1s", crate = self::framework::rt, before = "x")]
fn close() -> Result<(), std::io::Error> {
    Ok(())
}

#[cleanup_runtime::at_exit(crate = ::cleanup_runtime)]
fn default_path_written_out() {}

fn main() {
    let report = framework::rt::run_now();
    let mut names: Vec<_> = report.entries().iter().map(|e| e.name().to_owned()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "close",
            concat!(module_path!(), "::default_path_written_out"),
            concat!(module_path!(), "::flush"),
        ]
    );
}
