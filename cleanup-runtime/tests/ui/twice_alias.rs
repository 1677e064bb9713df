// The attributes under other names: the macros cannot see that `on_exit`
// is `at_exit`, but the two expansions still collide.
use cleanup_runtime::at_exit as on_exit;
use cleanup_runtime::cleanup as named_cleanup;

#[named_cleanup(name = "flush")]
#[on_exit]
fn flush() {}

fn main() {}
