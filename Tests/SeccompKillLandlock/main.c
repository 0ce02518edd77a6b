// Test helper: emulates systemd 252's SystemCallFilter=@system-service (kill on violation) for the three
// landlock_* calls it lacks, then execs the given command.   pico-seccomp-kill-landlock COMMAND [ARG...]
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: pico-seccomp-kill-landlock COMMAND [ARG...]\n", stderr);
        return 2;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    const char *calls[] = {"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"};
    for (int i = 0; i < 3; i++) {
        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, seccomp_syscall_resolve_name(calls[i]), 0) != 0) {
            fputs("pico-seccomp-kill-landlock: cannot build the filter\n", stderr);
            return 2;
        }
    }
    if (seccomp_load(ctx) != 0) {
        fputs("pico-seccomp-kill-landlock: cannot load the filter\n", stderr);
        return 2;
    }
    execvp(argv[1], argv + 1);
    perror("pico-seccomp-kill-landlock: exec");
    return 127;
}
