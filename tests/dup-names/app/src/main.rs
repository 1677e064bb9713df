//! Links both libraries: two cleanups named "shared-name" in one program.

fn main() {
    first::touch();
    second::touch();
}
