// The non-filesystem confinement of the sandboxed child: resource limits, capabilities, seccomp.
// Everything here is async-signal-safe (plain system calls), for use between fork and exec.
#define _GNU_SOURCE
#include "cpicopolicy.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int set_limit(int resource, unsigned long long value) {
    if (value == 0) return 0;
    struct rlimit current;
    if (getrlimit(resource, &current) != 0) return errno;
    rlim_t v = (rlim_t)value;
    /* Never raise: a limit the operator already set lower stays. */
    if (current.rlim_max != RLIM_INFINITY && current.rlim_max < v) v = current.rlim_max;
    struct rlimit lim = {v, v};
    return setrlimit(resource, &lim) == 0 ? 0 : errno;
}

int pico_limits_apply(const struct pico_limits *l) {
    int err = 0;
    if (!err) err = set_limit(RLIMIT_NPROC, l->processes);
    if (!err) err = set_limit(RLIMIT_AS, l->address_space_bytes);
    if (!err) err = set_limit(RLIMIT_FSIZE, l->file_size_bytes);
    if (!err) err = set_limit(RLIMIT_NOFILE, l->open_files);
    if (!err) err = set_limit(RLIMIT_CPU, l->cpu_seconds);
    struct rlimit none = {0, 0};
    if (!err && setrlimit(RLIMIT_CORE, &none) != 0) err = errno;
    return err;
}

int pico_capabilities_drop(void) {
    /* The bounding set first (needs CAP_SETPCAP, which only a privileged process has; without it there is
       nothing to drop and EPERM is expected). */
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) return errno;
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return errno;
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
    if (syscall(SYS_capset, &header, data) != 0) return errno;
    return 0;
}

int pico_seccomp_load(const unsigned char *program, size_t length) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
    if (program == NULL || length == 0) return 0;
    struct sock_fprog prog = {(unsigned short)(length / sizeof(struct sock_filter)),
                              (struct sock_filter *)(void *)program};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) return errno;
    return 0;
}
