// A closure that uses `?` and ends with `Ok(())` leaves its error type to
// infer: rustc asks for it (`Ok::<(), std::io::Error>(())`, as the docs of
// `register` show).

fn main() {
    cleanup_runtime::register(|| {
        std::fs::remove_file("/tmp/cleanup-ui-lock")?;
        Ok(())
    });
}
