// The sandboxed executor's process handling: fork, confine the child (own session, stdio on one pipe,
// no_new_privs, Landlock) and exec, then collect output with a deadline and kill the whole process group.
// Between fork and exec the child calls only async-signal-safe functions and never allocates.
#define _GNU_SOURCE
#include "cpicopolicy.h"
#include "landlock_defs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/// What the child reports on the CLOEXEC status pipe: once right before execve, once more if it fails.
struct pico_child_report {
    int stage;
    int err;
    int landlock_applied;
    int landlock_errno;
};

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void child_report(int fd, int stage, int err, int applied, int ll_errno) {
    struct pico_child_report report = {stage, err, applied, ll_errno};
    ssize_t n;
    do {
        n = write(fd, &report, sizeof report);
    } while (n < 0 && errno == EINTR);
}

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
static int child_add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled) {
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

/// Builds and enforces the ruleset. Returns 0 or an errno.
static int child_apply_landlock(const struct pico_spawn_config *c) {
    int abi = c->landlock_abi;
    if (abi < 1) return ENOSYS;
    uint64_t handled = fs_rights_for_abi(abi);
    struct pico_ll_ruleset_attr attr = {handled, 0, 0};
    size_t size = sizeof(uint64_t);
    if (abi >= 4) size = 2 * sizeof(uint64_t);
    if (abi >= 6) {
        /* No signals to, and no abstract-socket connections with, processes outside the sandbox. */
        attr.scoped = PICO_LL_SCOPE_ABSTRACT_UNIX_SOCKET | PICO_LL_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int ruleset = (int)syscall(PICO_SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) return errno;
    int err = 0;
    uint64_t read_exec = PICO_LL_FS_EXECUTE | PICO_LL_FS_READ_FILE | PICO_LL_FS_READ_DIR;
    uint64_t device = PICO_LL_FS_READ_FILE | PICO_LL_FS_WRITE_FILE | PICO_LL_FS_TRUNCATE | PICO_LL_FS_IOCTL_DEV;
    for (size_t i = 0; err == 0 && i < c->full_count; i++)
        err = child_add_rule(ruleset, c->full_paths[i], handled, handled);
    for (size_t i = 0; err == 0 && i < c->read_exec_count; i++)
        err = child_add_rule(ruleset, c->read_exec_paths[i], read_exec, handled);
    for (size_t i = 0; err == 0 && i < c->device_count; i++)
        err = child_add_rule(ruleset, c->device_paths[i], device, handled);
    if (err == 0 && syscall(PICO_SYS_landlock_restrict_self, ruleset, 0) != 0) err = errno;
    close(ruleset);
    return err;
}

static void child_main(const struct pico_spawn_config *c, int devnull, int out_w, int status_w) {
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    }
    if (setsid() < 0 || dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    if (chdir(c->cwd) != 0) {
        child_report(status_w, PICO_STAGE_CHDIR, errno, 0, 0);
        _exit(127);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    int applied = 0, ll_errno = 0;
    if (c->landlock_mode != PICO_LANDLOCK_OFF) {
        ll_errno = child_apply_landlock(c);
        if (ll_errno == 0) {
            applied = c->landlock_abi;
        } else if (c->landlock_mode == PICO_LANDLOCK_REQUIRED) {
            child_report(status_w, PICO_STAGE_LANDLOCK, ll_errno, 0, ll_errno);
            _exit(126);
        }
    }
    /* Keep only 0-2 and the status pipe (moved to 3, still close-on-exec). */
    if (status_w != 3) {
        if (dup3(status_w, 3, O_CLOEXEC) < 0) {
            child_report(status_w, PICO_STAGE_SETUP, errno, applied, ll_errno);
            _exit(127);
        }
        status_w = 3;
    }
    if (syscall(PICO_SYS_close_range, 4U, ~0U, 0U) != 0) {
        for (int fd = 4; fd < 65536; fd++) close(fd);
    }
    child_report(status_w, PICO_STAGE_NONE, 0, applied, ll_errno);
    execve(c->path, c->argv, c->envp);
    child_report(status_w, PICO_STAGE_EXEC, errno, applied, ll_errno);
    _exit(127);
}

/// Reads the child's reports until EOF (exec succeeded or the child died before exec).
static void parent_read_reports(int status_r, struct pico_run_result *r) {
    struct pico_child_report report;
    for (;;) {
        ssize_t n = read(status_r, &report, sizeof report);
        if (n < 0 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof report) break;
        r->landlock_applied = report.landlock_applied;
        r->landlock_errno = report.landlock_errno;
        if (report.stage != PICO_STAGE_NONE) {
            r->failed_stage = report.stage;
            r->failed_errno = report.err;
        }
    }
}

static void drain(int fd, int *open, const struct pico_spawn_config *c, struct pico_run_result *r) {
    unsigned char scratch[16384];
    for (;;) {
        size_t room = c->output_capacity - r->output_length;
        unsigned char *dst = room > 0 ? c->output + r->output_length : scratch;
        size_t want = room > 0 ? room : sizeof scratch;
        ssize_t n = read(fd, dst, want);
        if (n > 0) {
            if (room > 0) r->output_length += (size_t)n;
            else r->dropped_bytes += (unsigned long long)n;
            continue;
        }
        if (n == 0) *open = 0;
        else if (errno == EINTR) continue;
        else if (errno != EAGAIN) *open = 0;
        return;
    }
}

static void record_status(int status, struct pico_run_result *r) {
    if (WIFEXITED(status)) {
        r->exited = 1;
        r->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->signaled = 1;
        r->term_signal = WTERMSIG(status);
    }
}

static void collect(pid_t pid, int out_r, const struct pico_spawn_config *c, struct pico_run_result *r,
                    long long start) {
    int pidfd = (int)syscall(PICO_SYS_pidfd_open, pid, 0);
    int out_open = 1, leader_done = 0, term_sent = 0, kill_sent = 0, status = 0;
    long long deadline = c->timeout_ms > 0 ? start + (long long)c->timeout_ms * 1000000LL : 0;
    long long term_at = 0, kill_at = 0;
    for (;;) {
        if (!leader_done) {
            /* Look without reaping: while the leader is a zombie its pgid cannot be reused. */
            siginfo_t info;
            memset(&info, 0, sizeof info);
            int w = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
            if ((w == 0 && info.si_pid == pid) || (w < 0 && errno == ECHILD)) {
                leader_done = 1;
                r->duration_ns = now_ns() - start;
                /* Kill background children the command left behind, then reap the leader. */
                kill(-pid, SIGKILL);
                kill_sent = 1;
                kill_at = now_ns();
                if (w == 0) {
                    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
                    record_status(status, r);
                }
            }
        }
        long long now = now_ns();
        if (leader_done) {
            if (!out_open) break;
            /* Something outside the group (it called setsid) still holds the pipe: stop waiting. */
            if (now - kill_at > 1000000000LL) break;
        } else {
            int cancel = 0;
            if (c->cancel_fd >= 0) {
                struct pollfd p = {c->cancel_fd, POLLIN, 0};
                cancel = poll(&p, 1, 0) > 0;
            }
            if (!term_sent && ((deadline && now >= deadline) || cancel)) {
                if (cancel) r->cancelled = 1;
                else r->timed_out = 1;
                kill(-pid, SIGTERM);
                kill(pid, SIGTERM);
                term_sent = 1;
                term_at = now;
            } else if (term_sent && !kill_sent && now - term_at >= (long long)c->grace_ms * 1000000LL) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                kill_sent = 1;
                kill_at = now;
            }
        }
        struct pollfd fds[3];
        int nfds = 0;
        if (out_open) fds[nfds++] = (struct pollfd){out_r, POLLIN, 0};
        if (pidfd >= 0 && !leader_done) fds[nfds++] = (struct pollfd){pidfd, POLLIN, 0};
        if (c->cancel_fd >= 0 && !term_sent) fds[nfds++] = (struct pollfd){c->cancel_fd, POLLIN, 0};
        long long wait_ns = pidfd >= 0 ? 1000000000LL : 10000000LL;
        if (!leader_done && !term_sent && deadline) {
            long long left = deadline - now;
            if (left < wait_ns) wait_ns = left;
        }
        if (term_sent && !kill_sent) {
            long long left = term_at + (long long)c->grace_ms * 1000000LL - now;
            if (left < wait_ns) wait_ns = left;
        }
        if (leader_done) {
            long long left = kill_at + 1000000000LL - now;
            if (left < wait_ns) wait_ns = left;
        }
        if (wait_ns < 0) wait_ns = 0;
        int pr = poll(fds, (nfds_t)nfds, (int)((wait_ns + 999999) / 1000000));
        if (pr > 0 && out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) drain(out_r, &out_open, c, r);
    }
    if (!leader_done) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        record_status(status, r);
        r->duration_ns = now_ns() - start;
    }
    if (pidfd >= 0) close(pidfd);
}

int pico_run(const struct pico_spawn_config *c, struct pico_run_result *r) {
    memset(r, 0, sizeof *r);
    long long start = now_ns();
    int out[2], status[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        r->failed_stage = PICO_STAGE_PIPE;
        r->failed_errno = errno;
        return -r->failed_errno;
    }
    if (pipe2(status, O_CLOEXEC) != 0) {
        r->failed_stage = PICO_STAGE_PIPE;
        r->failed_errno = errno;
        close(out[0]);
        close(out[1]);
        return -r->failed_errno;
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = devnull < 0 ? -1 : fork();
    if (pid == 0) child_main(c, devnull, out[1], status[1]);
    int fork_errno = errno;
    close(out[1]);
    close(status[1]);
    if (devnull >= 0) close(devnull);
    if (pid < 0) {
        close(out[0]);
        close(status[0]);
        r->failed_stage = PICO_STAGE_FORK;
        r->failed_errno = fork_errno;
        return -fork_errno;
    }
    parent_read_reports(status[0], r);
    close(status[0]);
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    collect(pid, out[0], c, r, start);
    close(out[0]);
    return 0;
}
