//! Fixture that links `fixture-lib` and never calls a `cleanup_runtime`
//! function: the library's `#[at_exit]` must still run at exit.
//!
//! With `argv[1] == "exit"` it ends by `std::process::exit(5)` instead of
//! returning from `main`.

fn main() {
    println!("{}", fixture_lib::greeting());
    if std::env::args().nth(1).as_deref() == Some("exit") {
        std::process::exit(5);
    }
}
