// The sandboxed executor's process handling: fork, confine the child and exec, then collect output with a
// deadline and kill everything the command started. Three shapes (enum pico_sandbox_mode):
//   direct      fork → confine → exec /bin/sh
//   supervised  fork a supervisor (own session, child subreaper, none of the gateway's descriptors) → clone
//               (CLONE_VM | CLONE_VFORK: no second page-table copy) → confine → exec; the supervisor kills
//               every descendant when the command ends, the turn is cancelled, or the gateway dies
//   namespaces  fork a supervisor as above → clone → limits, no_new_privs → exec bubblewrap, whose PID
//               namespace ends with the command; the picoclaw-sandbox step inside applies Landlock and reports
//               on fd 3. The supervisor is what guarantees nothing outlives the gateway: bubblewrap's child waits
//               on an eventfd before it sets its own parent-death signal, so bubblewrap killed in that window
//               leaves it blocked forever as an orphan (containers/bubblewrap#633); the supervisor inherits it
//               as subreaper and kills it.
// In every shape the forked child first joins the command's pids cgroup when one is given (root's process limit).
// Between fork (or clone) and exec the children call only async-signal-safe functions, never allocate, and write
// no memory but their own stack.
#define _GNU_SOURCE
#include "cpicopolicy.h"
#include "landlock_defs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void child_report(int fd, int stage, int err, int applied, int ll_errno) {
    struct pico_child_report report = {0, stage, err, applied, ll_errno, 0};
    ssize_t n;
    do {
        n = write(fd, &report, sizeof report);
    } while (n < 0 && errno == EINTR);
}

static void reset_signals(void) {
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    }
}

static void close_from(unsigned int first) {
    if (syscall(PICO_SYS_close_range, first, ~0U, 0U) != 0) {
        for (int fd = (int)first; fd < 65536; fd++) close(fd);
    }
}

/// Closes every descriptor from 3 on except the `count` in `keep` (sorted here, in place).
static void close_all_except(int *keep, size_t count) {
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    }
    unsigned int first = 3;
    for (size_t i = 0; i < count; i++) {
        if (keep[i] < (int)first) continue;
        unsigned int last = (unsigned int)keep[i] - 1;
        if (last >= first && syscall(PICO_SYS_close_range, first, last, 0U) != 0) {
            for (unsigned int fd = first; fd <= last; fd++) close((int)fd);
        }
        first = (unsigned int)keep[i] + 1;
    }
    close_from(first);
}

/// Confines the calling process per `c` and execs the command; reports failures on `status_w`.
static void child_main(const struct pico_spawn_config *c, int devnull, int out_w, int status_w, int new_session) {
    reset_signals();
    if ((new_session && setsid() < 0) || dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    if (chdir(c->cwd) != 0) {
        child_report(status_w, PICO_STAGE_CHDIR, errno, 0, 0);
        _exit(127);
    }
    int err = pico_limits_apply(&c->limits);
    if (err) {
        child_report(status_w, PICO_STAGE_LIMITS, err, 0, 0);
        _exit(127);
    }
    if (c->drop_capabilities && (err = pico_capabilities_drop()) != 0) {
        child_report(status_w, PICO_STAGE_CAPABILITIES, err, 0, 0);
        _exit(127);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    int applied = 0, ll_errno = 0;
    if (c->landlock_mode != PICO_LANDLOCK_OFF) {
        struct pico_landlock_rules rules = {c->landlock_abi, c->deny_tcp, c->full_paths, c->full_count,
                                            c->read_exec_paths, c->read_exec_count, c->device_paths,
                                            c->device_count};
        ll_errno = pico_landlock_apply(&rules);
        if (ll_errno == 0) {
            applied = c->landlock_abi;
        } else if (c->landlock_mode == PICO_LANDLOCK_REQUIRED) {
            child_report(status_w, PICO_STAGE_LANDLOCK, ll_errno, 0, ll_errno);
            _exit(126);
        }
    }
    if ((err = pico_seccomp_load(c->seccomp_program, c->seccomp_length)) != 0) {
        child_report(status_w, PICO_STAGE_SECCOMP, err, applied, ll_errno);
        _exit(126);
    }
    /* Keep only 0-2 and the status pipe (moved to 3, still close-on-exec). */
    if (status_w != 3) {
        if (dup3(status_w, 3, O_CLOEXEC) < 0) {
            child_report(status_w, PICO_STAGE_SETUP, errno, applied, ll_errno);
            _exit(127);
        }
        status_w = 3;
    }
    close_from(4);
    child_report(status_w, PICO_STAGE_NONE, 0, applied, ll_errno);
    execve(c->path, c->argv, c->envp);
    child_report(status_w, PICO_STAGE_EXEC, errno, applied, ll_errno);
    _exit(127);
}

/// Namespaces mode: limits and no_new_privs here, everything else by bubblewrap and the step inside it.
static void namespace_launcher_main(const struct pico_spawn_config *c, int devnull, int out_w, int status_w,
                                    pid_t parent) {
    reset_signals();
    if (setsid() < 0 || dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(out_w, 2) < 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    /* bubblewrap dies with the supervisor that started it (its child is the supervisor's to kill). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent) _exit(127);
    int err = pico_limits_apply(&c->limits);
    if (err) {
        child_report(status_w, PICO_STAGE_LIMITS, err, 0, 0);
        _exit(127);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    /* Move everything above the target numbers first, then into place (dup2 clears close-on-exec). */
    int base = 5 + (int)c->pass_fd_count + 16;
    int high_status = fcntl(status_w, F_DUPFD_CLOEXEC, base);
    int high_seccomp = c->seccomp_fd >= 0 ? fcntl(c->seccomp_fd, F_DUPFD_CLOEXEC, base) : -1;
    if (high_status < 0 || (c->seccomp_fd >= 0 && high_seccomp < 0)) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    /* All passed descriptors go high before any lands on 5.. (a source may already sit on a target number). */
    int high_pass[256];
    if (c->pass_fd_count > 256) {
        child_report(high_status, PICO_STAGE_SETUP, EMFILE, 0, 0);
        _exit(127);
    }
    for (size_t i = 0; i < c->pass_fd_count; i++) {
        high_pass[i] = fcntl(c->pass_fds[i], F_DUPFD_CLOEXEC, base);
        if (high_pass[i] < 0) {
            child_report(high_status, PICO_STAGE_SETUP, errno, 0, 0);
            _exit(127);
        }
    }
    for (size_t i = 0; i < c->pass_fd_count; i++) {
        if (dup2(high_pass[i], 5 + (int)i) < 0) {
            child_report(high_status, PICO_STAGE_SETUP, errno, 0, 0);
            _exit(127);
        }
    }
    if (dup2(high_status, 3) < 0 || (high_seccomp >= 0 && dup2(high_seccomp, 4) < 0)) {
        child_report(high_status, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    if (high_seccomp < 0) close(4);
    close_from(5 + (unsigned int)c->pass_fd_count);
    execve(c->path, c->argv, c->envp);
    child_report(3, PICO_STAGE_EXEC, errno, 0, 0);
    _exit(127);
}

/* ---- supervised mode ------------------------------------------------------------------------------------ */

static volatile sig_atomic_t supervisor_stop = 0;

static void supervisor_on_signal(int sig) {
    (void)sig;
    supervisor_stop = 1;
}

/// SIGKILLs every child of the (single-threaded) calling process listed in /proc. Returns how many.
static int kill_listed_children(void) {
    char path[64] = "/proc/self/task/";
    char digits[16];
    int n = 0;
    for (pid_t v = getpid(); v > 0; v /= 10) digits[n++] = (char)('0' + v % 10);
    size_t len = strlen(path);
    while (n > 0) path[len++] = digits[--n];
    memcpy(path + len, "/children", 10);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[4096];
    long pid = 0;
    int in_number = 0, killed = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] >= '0' && buf[i] <= '9') {
                pid = pid * 10 + (buf[i] - '0');
                in_number = 1;
            } else if (in_number) {
                kill((pid_t)pid, SIGKILL);
                killed++;
                pid = 0;
                in_number = 0;
            }
        }
    }
    if (in_number) {
        kill((pid_t)pid, SIGKILL);
        killed++;
    }
    close(fd);
    return killed;
}

/// Kills and reaps every descendant (orphans are re-parented to this subreaper). Records the command's status.
static void supervisor_kill_all(pid_t command, int *command_status, int *command_done) {
    if (!*command_done) kill(command, SIGKILL);
    for (;;) {
        kill_listed_children();
        int st = 0;
        pid_t w = waitpid(-1, &st, __WALL);
        if (w < 0) {
            if (errno == EINTR) continue;
            break; /* ECHILD: nobody left */
        }
        if (w == command && !*command_done) {
            *command_status = st;
            *command_done = 1;
        }
    }
}

/// What the supervisor's command process starts from.
struct command_start {
    const struct pico_spawn_config *c;
    int devnull, out_w, status_w;
    pid_t supervisor;
};

/// The supervisor's command process: execs (bubblewrap, or the confined shell) or exits; never returns.
static int command_main(void *arg) {
    const struct command_start *s = arg;
    if (s->c->sandbox_mode == PICO_SANDBOX_NAMESPACES)
        namespace_launcher_main(s->c, s->devnull, s->out_w, s->status_w, s->supervisor);
    child_main(s->c, s->devnull, s->out_w, s->status_w, 0);
    return 127;
}

/// The command process's stack: it runs in the supervisor's memory until it execs.
static char command_stack[256 * 1024] __attribute__((aligned(64)));

static void supervisor_main(const struct pico_spawn_config *c, int devnull, int out_w, int status_w, pid_t parent) {
    reset_signals();
    struct sigaction stop;
    memset(&stop, 0, sizeof stop);
    stop.sa_handler = supervisor_on_signal; /* no SA_RESTART: waitpid returns EINTR */
    sigaction(SIGTERM, &stop, NULL);
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGHUP, &stop, NULL);
    if (setsid() < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) {
        child_report(status_w, PICO_STAGE_SETUP, errno, 0, 0);
        _exit(127);
    }
    if (getppid() != parent) _exit(127);
    /* Hold nothing of the gateway's (its listening socket, its database, its connections): a supervisor still
       killing a sandbox after the gateway died must not keep a restarted gateway from binding its port. */
    int keep[4 + 256];
    size_t kept = 0;
    keep[kept++] = devnull;
    keep[kept++] = out_w;
    keep[kept++] = status_w;
    if (c->seccomp_fd >= 0) keep[kept++] = c->seccomp_fd;
    for (size_t i = 0; i < c->pass_fd_count && i < 256; i++) keep[kept++] = c->pass_fds[i];
    close_all_except(keep, kept);
    /* The command shares this process's memory until it execs (CLONE_VM | CLONE_VFORK: this process waits), so
       no second copy of the gateway's page tables is made per run. Signals stay blocked across the clone: no
       handler runs in the command before it resets them. */
    struct command_start start = {c, devnull, out_w, status_w, getpid()};
    sigset_t all, previous;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &previous);
    pid_t command = clone(command_main, command_stack + sizeof command_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
    int clone_errno = errno;
    sigprocmask(SIG_SETMASK, &previous, NULL);
    if (command < 0) {
        child_report(status_w, PICO_STAGE_FORK, clone_errno, 0, 0);
        _exit(127);
    }
    close(out_w);
    close(devnull);
    int command_status = 0, command_done = 0;
    while (!command_done && !supervisor_stop) {
        int st = 0;
        pid_t w = waitpid(-1, &st, __WALL);
        if (w == command) {
            command_status = st;
            command_done = 1;
        } else if (w < 0 && errno != EINTR) {
            break;
        }
    }
    /* The turn is over (or was cancelled): nothing the command started may outlive it. */
    supervisor_kill_all(command, &command_status, &command_done);
    struct pico_child_report final = {1, PICO_STAGE_NONE, 0, 0, 0, command_status};
    ssize_t n;
    do {
        n = write(status_w, &final, sizeof final);
    } while (n < 0 && errno == EINTR);
    _exit(0);
}

/* ---- parent --------------------------------------------------------------------------------------------- */

static void record_status(int status, struct pico_run_result *r) {
    r->exited = 0;
    r->signaled = 0;
    if (WIFEXITED(status)) {
        r->exited = 1;
        r->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        r->signaled = 1;
        r->term_signal = WTERMSIG(status);
    }
}

/// Reads whatever reports are available on the non-blocking status pipe.
static void read_reports(int fd, int *open, struct pico_run_result *r, int *final_status, int *has_final) {
    struct pico_child_report reports[8];
    for (;;) {
        ssize_t n = read(fd, reports, sizeof reports);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (n < 0 && errno != EAGAIN)) *open = 0;
        if (n <= 0) return;
        for (size_t i = 0; i < (size_t)n / sizeof *reports; i++) {
            const struct pico_child_report *rep = &reports[i];
            if (rep->kind == 1) {
                *final_status = rep->wait_status;
                *has_final = 1;
                continue;
            }
            r->landlock_applied = rep->landlock_applied;
            r->landlock_errno = rep->landlock_errno;
            if (rep->stage == PICO_STAGE_NONE) {
                r->step_reported = 1;
            } else {
                r->failed_stage = rep->stage;
                r->failed_errno = rep->err;
            }
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

static void collect(pid_t pid, int out_r, int status_r, const struct pico_spawn_config *c,
                    struct pico_run_result *r, long long start) {
    int pidfd = (int)syscall(PICO_SYS_pidfd_open, pid, 0);
    int out_open = 1, status_open = 1, leader_done = 0, term_sent = 0, kill_sent = 0, status = 0;
    int final_status = 0, has_final = 0;
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
            if (status_open) read_reports(status_r, &status_open, r, &final_status, &has_final);
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
        struct pollfd fds[4];
        int nfds = 0, out_index = -1, status_index = -1;
        if (out_open) {
            out_index = nfds;
            fds[nfds++] = (struct pollfd){out_r, POLLIN, 0};
        }
        if (status_open) {
            status_index = nfds;
            fds[nfds++] = (struct pollfd){status_r, POLLIN, 0};
        }
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
        if (pr > 0 && out_index >= 0 && (fds[out_index].revents & (POLLIN | POLLHUP | POLLERR)))
            drain(out_r, &out_open, c, r);
        if (pr > 0 && status_index >= 0 && (fds[status_index].revents & (POLLIN | POLLHUP | POLLERR)))
            read_reports(status_r, &status_open, r, &final_status, &has_final);
    }
    if (!leader_done) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        record_status(status, r);
        r->duration_ns = now_ns() - start;
    }
    if (status_open) read_reports(status_r, &status_open, r, &final_status, &has_final);
    /* Supervised (both shapes): the supervisor's own exit says nothing; the command's status came in its final
       report. */
    if (c->sandbox_mode != PICO_SANDBOX_DIRECT && has_final) record_status(final_status, r);
    /* bubblewrap ended without the step inside reporting: it failed, unless we stopped it first. */
    if (c->sandbox_mode == PICO_SANDBOX_NAMESPACES && !r->step_reported && r->failed_stage == PICO_STAGE_NONE &&
        !r->cancelled && !r->timed_out)
        r->failed_stage = PICO_STAGE_NAMESPACE;
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
    pid_t self = getpid();
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid = devnull < 0 ? -1 : fork();
    if (pid == 0) {
        /* Into the pids cgroup before anything else runs, so every process the command starts is counted. */
        if (c->join_cgroup) {
            ssize_t n;
            do {
                n = write(c->cgroup_procs_fd, "0", 1);
            } while (n < 0 && errno == EINTR);
            if (n != 1) {
                child_report(status[1], PICO_STAGE_CGROUP, n < 0 ? errno : EIO, 0, 0);
                _exit(127);
            }
        }
        if (c->sandbox_mode != PICO_SANDBOX_DIRECT) supervisor_main(c, devnull, out[1], status[1], self);
        child_main(c, devnull, out[1], status[1], 1);
    }
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
    fcntl(status[0], F_SETFL, fcntl(status[0], F_GETFL) | O_NONBLOCK);
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    collect(pid, out[0], status[0], c, r, start);
    close(status[0]);
    close(out[0]);
    return 0;
}
