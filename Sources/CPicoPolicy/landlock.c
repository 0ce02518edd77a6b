// Landlock for the sandboxed child: the ruleset (built and enforced between fork and exec, or by the
// picoclaw-sandbox step inside the namespaces) and the ABI probe, which runs in a throw-away child.
#define _GNU_SOURCE
#include "cpicopolicy.h"
#include "landlock_defs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PICO_LL_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define PICO_LL_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */

static uint64_t fs_rights_for_abi(int abi) {
    uint64_t rights = PICO_LL_FS_EXECUTE | PICO_LL_FS_WRITE_FILE | PICO_LL_FS_READ_FILE | PICO_LL_FS_READ_DIR |
                      PICO_LL_FS_REMOVE_DIR | PICO_LL_FS_REMOVE_FILE | PICO_LL_FS_MAKE_CHAR | PICO_LL_FS_MAKE_DIR |
                      PICO_LL_FS_MAKE_REG | PICO_LL_FS_MAKE_SOCK | PICO_LL_FS_MAKE_FIFO | PICO_LL_FS_MAKE_BLOCK |
                      PICO_LL_FS_MAKE_SYM;
    if (abi >= 2) rights |= PICO_LL_FS_REFER;
    if (abi >= 3) rights |= PICO_LL_FS_TRUNCATE;
    if (abi >= 5) rights |= PICO_LL_FS_IOCTL_DEV;
    return rights;
}

/// Adds one path-beneath rule; a path that does not exist is skipped. Returns 0 or an errno.
static int add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return err;
    }
    if (!S_ISDIR(st.st_mode)) access &= ~PICO_LL_FS_DIR_ONLY;
    struct pico_ll_path_beneath_attr attr = {access & handled, fd};
    int err = 0;
    if (attr.allowed_access != 0 &&
        syscall(PICO_SYS_landlock_add_rule, ruleset, PICO_LANDLOCK_RULE_PATH_BENEATH, &attr, 0) != 0)
        err = errno;
    close(fd);
    return err;
}

int pico_landlock_apply(const struct pico_landlock_rules *r) {
    int abi = r->abi;
    if (abi < 1) return ENOSYS;
    uint64_t handled = fs_rights_for_abi(abi);
    struct pico_ll_ruleset_attr attr = {handled, 0, 0};
    size_t size = sizeof(uint64_t);
    if (abi >= 4) {
        size = 2 * sizeof(uint64_t);
        /* Handled with no port rule: every TCP bind and connect is refused. */
        if (r->deny_tcp) attr.handled_access_net = PICO_LL_NET_BIND_TCP | PICO_LL_NET_CONNECT_TCP;
    }
    if (abi >= 6) {
        /* No signals to, and no abstract-socket connections with, processes outside the sandbox. */
        attr.scoped = PICO_LL_SCOPE_ABSTRACT_UNIX_SOCKET | PICO_LL_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int ruleset = (int)syscall(PICO_SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) return errno;
    int err = 0;
    /* The workspace gets everything except creating device nodes and device ioctls. */
    uint64_t full = handled & ~(PICO_LL_FS_MAKE_CHAR | PICO_LL_FS_MAKE_BLOCK | PICO_LL_FS_IOCTL_DEV);
    uint64_t read_exec = PICO_LL_FS_EXECUTE | PICO_LL_FS_READ_FILE | PICO_LL_FS_READ_DIR;
    uint64_t device = PICO_LL_FS_READ_FILE | PICO_LL_FS_WRITE_FILE | PICO_LL_FS_TRUNCATE;
    for (size_t i = 0; err == 0 && i < r->full_count; i++) err = add_rule(ruleset, r->full_paths[i], full, handled);
    for (size_t i = 0; err == 0 && i < r->read_exec_count; i++)
        err = add_rule(ruleset, r->read_exec_paths[i], read_exec, handled);
    for (size_t i = 0; err == 0 && i < r->device_count; i++)
        err = add_rule(ruleset, r->device_paths[i], device, handled);
    if (err == 0 && syscall(PICO_SYS_landlock_restrict_self, ruleset, 0) != 0) err = errno;
    close(ruleset);
    return err;
}

int pico_landlock_probe(void) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) {
        long abi = syscall(PICO_SYS_landlock_create_ruleset, NULL, 0, PICO_LANDLOCK_CREATE_RULESET_VERSION);
        /* Exit codes 1..99 carry the ABI, 100 + errno (capped) a refusal. */
        if (abi > 0) _exit(abi > 99 ? 99 : (int)abi);
        int err = errno;
        _exit(100 + (err > 150 ? 150 : err));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -errno;
    }
    if (WIFSIGNALED(status)) return -1000 - WTERMSIG(status);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 100 + EIO;
    return code < 100 ? code : -(code - 100);
}
