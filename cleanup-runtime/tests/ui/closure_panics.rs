// A closure whose body only panics has type `!`: `register` refuses it,
// and the error's note says to write `|| -> () { ... }`.

fn main() {
    cleanup_runtime::register(|| panic!("at exit"));
}
