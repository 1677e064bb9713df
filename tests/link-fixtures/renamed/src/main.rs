//! The runtime as a renamed dependency (`exitclean`): both attributes with
//! `crate = ::exitclean`, and a run-time registration.

#[exitclean::at_exit(crate = ::exitclean)]
fn flush() {
    println!("ran renamed-at-exit");
}

#[exitclean::cleanup(name = "renamed-named", crate = ::exitclean, timeout = "10s")]
fn close() -> Result<(), String> {
    println!("ran renamed-named");
    Err("renamed error".to_owned())
}

fn main() {
    exitclean::register(|| println!("ran renamed-closure"));
}
