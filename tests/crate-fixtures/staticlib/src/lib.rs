//! A static library for a C program (`host.c`): one entry point, and
//! cleanups in other modules (so, in a debug build, in other codegen
//! units, whose object files the host's linker only takes when it links
//! the archive whole) and in a dependency.

/// Called by the host; says `library: called`.
#[unsafe(no_mangle)]
pub extern "C" fn library_called() -> i32 {
    println!("library: called");
    7
}

mod flush {
    /// Runs when the host exits.
    #[cleanup_runtime::at_exit]
    fn library_flush() {
        println!("ran library_flush");
    }
}

mod close {
    /// Runs when the host exits, before `library_flush`.
    #[cleanup_runtime::cleanup(name = "library-close", before = "dep-named")]
    fn library_close() -> Result<(), String> {
        println!("ran library-close");
        Ok(())
    }
}

pub use staticlib_dep::dep_named;
