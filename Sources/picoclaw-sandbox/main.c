// picoclaw-sandbox: the step bubblewrap executes inside the exec sandbox's namespaces. It applies Landlock
// (which forbids the mounts bubblewrap needs, so it cannot come earlier), reports on the status descriptor,
// then execs the command. Not meant to be run by hand.
//
//   picoclaw-sandbox STATUS_FD ABI DENY_TCP N_FULL N_READ N_DEVICE PATH... -- COMMAND [ARG...]
#include "cpicopolicy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int number(const char *text) {
    char *end = NULL;
    long v = strtol(text, &end, 10);
    return (end && *end == '\0' && v >= 0 && v < 4096) ? (int)v : -1;
}

static void report(int fd, int stage, int err, int applied) {
    struct pico_child_report r = {0, stage, err, applied, stage == PICO_STAGE_LANDLOCK ? err : 0, 0};
    ssize_t n;
    do {
        n = write(fd, &r, sizeof r);
    } while (n < 0 && errno == EINTR);
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fputs("picoclaw-sandbox: internal helper of picoclaw's exec sandbox, run by bubblewrap\n", stderr);
        return 125;
    }
    int status_fd = number(argv[1]), abi = number(argv[2]), deny_tcp = number(argv[3]);
    int n_full = number(argv[4]), n_read = number(argv[5]), n_dev = number(argv[6]);
    int first = 7, after = first + n_full + n_read + n_dev;
    if (status_fd < 0 || abi < 0 || deny_tcp < 0 || n_full < 0 || n_read < 0 || n_dev < 0 || after + 1 >= argc ||
        strcmp(argv[after], "--") != 0) {
        fputs("picoclaw-sandbox: malformed arguments\n", stderr);
        return 125;
    }
    fcntl(status_fd, F_SETFD, FD_CLOEXEC);
    int applied = 0;
    if (abi > 0) {
        struct pico_landlock_rules rules = {abi, deny_tcp,
                                            (const char *const *)argv + first, (size_t)n_full,
                                            (const char *const *)argv + first + n_full, (size_t)n_read,
                                            (const char *const *)argv + first + n_full + n_read, (size_t)n_dev};
        int err = pico_landlock_apply(&rules);
        if (err) {
            report(status_fd, PICO_STAGE_LANDLOCK, err, 0);
            return 126;
        }
        applied = abi;
    }
    report(status_fd, PICO_STAGE_NONE, 0, applied);
    char **command = argv + after + 1;
    execv(command[0], command);
    report(status_fd, PICO_STAGE_EXEC, errno, applied);
    return 127;
}
