// The exec sandbox's system-call filter, built with libseccomp and exported as a classic BPF program.
// Building happens in a short-lived child process (libseccomp may probe the kernel with seccomp(2), which a
// service manager's own filter can forbid); the parent only receives the bytes.
#define _GNU_SOURCE
#include "cpicopolicy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Calls newer than some libseccomp releases know by name; numbers >= 424 are the same on every architecture. */
#define PICO_NR_fchmodat2 452
#define PICO_NR_setxattrat 463
#define PICO_NR_removexattrat 466

static int deny(scmp_filter_ctx ctx, int err, const char *name) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return 0; /* not on this architecture */
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

static int deny_nr(scmp_filter_ctx ctx, int err, const char *name, int fallback_nr) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) nr = fallback_nr;
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

static const char *const privileged_calls[] = {
    "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount", "fsconfig",
    "fspick", "mount_setattr", "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "keyctl", "add_key",
    "request_key", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "open_by_handle_at", "name_to_handle_at", "iopl", "ioperm", "swapon",
    "swapoff", "reboot", "acct", "quotactl", "quotactl_fd", "syslog", "lookup_dcookie", "setns", "unshare",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "vhangup", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "nfsservctl",
    "fanotify_init", "pidfd_getfd",
};

/* Metadata changes Landlock does not mediate: refused where a file outside the workspace could be reached
   (fallback mode, and as root, whose sandbox still owns the host's device nodes). */
static const char *const metadata_calls[] = {
    "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat", "utime", "utimes", "futimesat",
    "utimensat", "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
};

static int build(int flags, scmp_filter_ctx *out) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return ENOMEM;
    *out = ctx;
    int rc = 0;
    /* Foreign-architecture and x32 calls would bypass the rules below. */
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    rc |= seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (size_t i = 0; i < sizeof privileged_calls / sizeof *privileged_calls; i++)
        rc |= deny(ctx, EPERM, privileged_calls[i]);
    /* clone3 passes its flags in memory a filter cannot read: make libc fall back to clone. */
    rc |= deny(ctx, ENOSYS, "clone3");
    static const unsigned long ns_flags[] = {CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                                             CLONE_NEWUTS, CLONE_NEWCGROUP};
    for (size_t i = 0; i < sizeof ns_flags / sizeof *ns_flags; i++)
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                               SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
    /* Device nodes: mknod of a character or block device. */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknod), 1,
                           SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFCHR));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknod), 1,
                           SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknodat), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFCHR));
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknodat), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK));
    /* Socket families: AF_UNIX unless refused, AF_INET/AF_INET6 only with the network on, nothing else. */
    for (int family = 0; family < 64; family++) {
        int allowed = (family == AF_UNIX && !(flags & PICO_SECCOMP_DENY_UNIX)) ||
                      ((family == AF_INET || family == AF_INET6) && (flags & PICO_SECCOMP_NETWORK));
        if (allowed) continue;
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                               SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)family));
    }
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_GE, 64));
    if (flags & PICO_SECCOMP_DENY_METADATA) {
        for (size_t i = 0; i < sizeof metadata_calls / sizeof *metadata_calls; i++)
            rc |= deny(ctx, EPERM, metadata_calls[i]);
        rc |= deny_nr(ctx, EPERM, "fchmodat2", PICO_NR_fchmodat2);
        rc |= deny_nr(ctx, EPERM, "setxattrat", PICO_NR_setxattrat);
        rc |= deny_nr(ctx, EPERM, "removexattrat", PICO_NR_removexattrat);
    }
    return rc == 0 ? 0 : EINVAL;
}

int pico_seccomp_export(int flags, unsigned char *buffer, size_t capacity, size_t *length) {
    *length = 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    if (pid == 0) {
        close(fds[0]);
        scmp_filter_ctx ctx = NULL;
        int err = build(flags, &ctx);
        if (err == 0 && seccomp_export_bpf(ctx, fds[1]) != 0) err = EIO;
        _exit(err == 0 ? 0 : 1);
    }
    close(fds[1]);
    size_t total = 0;
    int overflow = 0;
    for (;;) {
        unsigned char scratch[4096];
        ssize_t n = read(fds[0], total < capacity ? buffer + total : scratch,
                         total < capacity ? capacity - total : sizeof scratch);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (total < capacity) total += (size_t)n;
        else overflow = 1;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (overflow) return -E2BIG;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || total == 0 || total % 8 != 0) return -EINVAL;
    *length = total;
    return 0;
}
