/* Loads the plugin cdylib given as argv[1], says whether the symbol named
 * argv[2] is exported, calls plugin_loaded(), and returns from main: the
 * plugin's cleanups must then run in the exit path (tests/tests/attributes.rs). */
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
    if (argc < 3) return 64;
    void *plugin = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!plugin) { fprintf(stderr, "host: dlopen: %s\n", dlerror()); return 2; }
    int (*loaded)(void) = (int (*)(void))dlsym(plugin, "plugin_loaded");
    if (!loaded) { fprintf(stderr, "host: no plugin_loaded\n"); return 3; }
    printf("host: guard exported: %s\n", dlsym(plugin, argv[2]) ? "yes" : "no");
    fflush(stdout);
    printf("host: plugin_loaded() = %d\n", loaded());
    fflush(stdout);
    return 0;
}
