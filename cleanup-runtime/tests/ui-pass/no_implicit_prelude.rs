//! Both attributes in a module without the prelude: the generated code
//! names everything by absolute paths.

#[no_implicit_prelude]
mod without_prelude {
    #[::cleanup_runtime::at_exit]
    fn flush() {}

    #[::cleanup_runtime::cleanup(name = "close-db", timeout = "1s", after = "flush")]
    fn close_db() -> ::std::result::Result<(), ::std::string::String> {
        ::std::result::Result::Ok(())
    }
}

fn main() {
    assert_eq!(cleanup_runtime::report().pending().len(), 2);
}
