use cleanup_runtime::at_exit;

#[at_exit]
fn flush(buffer: &mut Vec<u8>, force: bool) {
    let _ = (buffer, force);
}

fn main() {}
