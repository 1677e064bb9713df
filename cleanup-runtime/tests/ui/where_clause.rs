use cleanup_runtime::at_exit;

#[at_exit]
fn flush()
where
    u8: Copy,
{
}

fn main() {}
