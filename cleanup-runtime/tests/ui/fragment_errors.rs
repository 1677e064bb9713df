use cleanup_runtime::{at_exit, cleanup};

// Errors in options handed in through fragments point at the tokens the
// macro's caller wrote.
macro_rules! named {
    ($function:ident, $name:literal) => {
        #[cleanup(name = $name)]
        fn $function() {}
    };
}

macro_rules! timed {
    ($function:ident, $name:expr, $timeout:expr) => {
        #[cleanup(name = $name, timeout = $timeout)]
        fn $function() {}
    };
}

macro_rules! ordered {
    ($function:ident, $after:expr) => {
        #[at_exit(after = $after)]
        fn $function() {}
    };
}

macro_rules! in_runtime {
    ($function:ident, $runtime:path) => {
        #[at_exit(crate = $runtime)]
        fn $function() {}
    };
}

named!(not_a_string, 42);
named!(blank, "  ");
timed!(bad_duration, "drain", "2 parsecs");
timed!(not_a_literal, "drain-2", 2 + 2);
ordered!(bad_list, ["db", 7]);
ordered!(empty_list, []);
in_runtime!(with_generics, ::cleanup_runtime::Thing<u8>);

fn main() {}
