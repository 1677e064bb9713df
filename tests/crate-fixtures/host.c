/* Links the `staticlib` archive, calls it, then ends by `exit`: the
 * library's cleanups must run in the exit path
 * (tests/tests/attributes_crate_types.rs). */
#include <stdio.h>
#include <stdlib.h>
int library_called(void);
int main(void) {
    printf("host: library_called() = %d\n", library_called());
    fflush(stdout);
    exit(0);
}
