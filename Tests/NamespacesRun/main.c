// Test helper: runs PROGRAM through pico_run's namespaces shape, the way the gateway runs bubblewrap (from a
// thread other than the main one), and prints its exit status.   pico-namespaces-run PROGRAM [ARG...]
// A test passes a stand-in for bubblewrap, kills this process with SIGKILL, and checks that nothing the stand-in
// started outlives it. With PICO_HOLD=FILE set, FILE is held open meanwhile (as the gateway holds its database
// and its listening socket), for a test that checks no process of the sandbox holds it.
#include "cpicopolicy.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **arguments;
static struct pico_run_result result;

static void *run(void *unused) {
    (void)unused;
    static char *environment[] = {"PATH=/usr/bin:/bin", NULL};
    static unsigned char output[4096];
    struct pico_spawn_config c;
    memset(&c, 0, sizeof c);
    c.path = arguments[0];
    c.argv = arguments;
    c.envp = environment;
    c.cwd = "/";
    c.sandbox_mode = PICO_SANDBOX_NAMESPACES;
    c.seccomp_fd = -1;
    c.cgroup_procs_fd = -1;
    c.grace_ms = 300;
    c.cancel_fd = -1;
    c.output = output;
    c.output_capacity = sizeof output;
    pico_run(&c, &result);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: pico-namespaces-run PROGRAM [ARG...]\n", stderr);
        return 2;
    }
    arguments = argv + 1;
    const char *hold = getenv("PICO_HOLD");
    if (hold && open(hold, O_RDONLY) < 0) return 2;
    pthread_t thread;
    if (pthread_create(&thread, NULL, run, NULL) != 0) return 2;
    pthread_join(thread, NULL);
    printf("exited %d code %d signaled %d signal %d\n", result.exited, result.exit_code, result.signaled,
           result.term_signal);
    return 0;
}
