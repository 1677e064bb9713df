/* Peer: glibc atexit(3), following the fixture protocol of the
 * cleanup_benches crate docs: PROGRAM MODE N. Built by benches/run.sh with
 * `cc -O2 -pthread`. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long long end_of_main;

static unsigned long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static void nothing(void) {}

static void last(void) { dprintf(1, "exit_ns %llu\n", now_ns() - end_of_main); }

__attribute__((noinline)) static void register_n(long n) {
    for (long i = 0; i < n; i++) atexit(nothing);
}

__attribute__((noinline)) static void loop_n(long n) {
    for (volatile long i = 0; i < n; i++) {}
}

static pthread_barrier_t start;

static void *registering_thread(void *n) {
    pthread_barrier_wait(&start);
    register_n((long)n);
    return NULL;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "none";
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(mode, "none")) return 0;
    if (!strcmp(mode, "loop")) { loop_n(n); _exit(0); }
    if (!strcmp(mode, "reg")) { register_n(n); _exit(0); }
    if (!strcmp(mode, "run")) { register_n(n); return 0; }
    if (!strcmp(mode, "time")) {
        unsigned long long began = now_ns();
        atexit(last);
        register_n(n > 0 ? n - 1 : 0);
        dprintf(1, "reg_ns %llu\n", now_ns() - began);
        end_of_main = now_ns();
        return 0;
    }
    if (!strcmp(mode, "time2")) {
        pthread_t threads[2];
        pthread_barrier_init(&start, NULL, 3);
        for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, registering_thread, (void *)n);
        pthread_barrier_wait(&start);
        unsigned long long began = now_ns();
        for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
        dprintf(1, "reg_ns %llu\n", now_ns() - began);
        _exit(0);
    }
    if (!strcmp(mode, "sigwait")) {
        dprintf(1, "ready\n");
        for (;;) pause();
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
