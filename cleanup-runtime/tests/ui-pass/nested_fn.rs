//! The attributes on functions declared inside another function's body.

#![deny(warnings)]

fn main() {
    #[cleanup_runtime::at_exit]
    fn inner() {}

    #[cleanup_runtime::cleanup(name = "nested")]
    fn named_inner() -> Result<(), std::fmt::Error> {
        helper();
        Ok(())
    }

    fn helper() {}

    inner();
    named_inner().unwrap();
}
