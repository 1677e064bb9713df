//! The runtime re-exported by another crate: `crate = ::framework::rt`.

#[framework::rt::at_exit(crate = ::framework::rt)]
fn flush() {
    println!("ran reexport-at-exit");
}

#[framework::rt::cleanup(name = "reexport-named", crate = ::framework::rt)]
fn close() -> Result<(), String> {
    println!("ran reexport-named");
    Err("reexport error".to_owned())
}

fn main() {
    framework::rt::register(|| println!("ran reexport-closure"));
}
