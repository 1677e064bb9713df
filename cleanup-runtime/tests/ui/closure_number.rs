// A closure returning a number: the error names what a cleanup may return,
// with the notes on `!` and on `?`.

fn main() {
    cleanup_runtime::register(|| 5);
}
