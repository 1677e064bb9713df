use cleanup_runtime::cleanup;

#[cleanup(nmae = "flush", timeout = "soon")]
fn flush(force: bool) {
    let _ = force;
}

fn main() {}
