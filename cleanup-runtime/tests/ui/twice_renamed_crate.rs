// The runtime under another name, as a re-export or a renamed dependency.
use cleanup_runtime as cr;

#[cr::at_exit]
#[cr::cleanup(name = "flush")]
fn flush() {}

fn main() {}
