// CPicoPolicy: the few Linux system calls PicoPolicy needs that Swift's Glibc module cannot reach
// (raw syscalls are variadic; pipe2 and close_range need _GNU_SOURCE), and the fork/exec child path of
// the sandboxed executor, which must run only async-signal-safe code between fork and exec.
#ifndef CPICOPOLICY_H
#define CPICOPOLICY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// O_PATH (Linux; hidden from Swift's Glibc module without _GNU_SOURCE).
#define PICO_O_PATH 010000000

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (plus RESOLVE_NO_SYMLINKS when `no_symlinks`).
/// Returns a file descriptor, or -errno (-ENOSYS when the kernel lacks openat2).
int pico_openat2_beneath(int dirfd, const char *path, int flags, unsigned int mode, int no_symlinks);


/// A close-on-exec memfd holding `bytes`, positioned at 0. Returns the descriptor or -errno.
int pico_memfd_with(const unsigned char *bytes, size_t length);

/// The running executable's path (readlink of /proc/self/exe). Returns the length or -errno.
int pico_executable_path(char *buffer, size_t capacity);

/// pipe2(fds, O_CLOEXEC). Returns 0 or -errno.
int pico_pipe_cloexec(int fds[2]);

/// The Landlock ABI version, probed in a short-lived child process so that a service manager's seccomp
/// filter that kills on landlock_* calls (systemd's @system-service before v255) kills only the probe.
/// Returns the ABI (> 0), -errno when the kernel refuses, or -1000 - signal when the probe was killed.
int pico_landlock_probe(void);

/// Flags of pico_seccomp_export.
enum pico_seccomp_flags {
    PICO_SECCOMP_NETWORK = 1,        ///< allow AF_INET/AF_INET6 sockets
    PICO_SECCOMP_DENY_UNIX = 2,      ///< refuse AF_UNIX sockets (socketpair stays allowed)
    PICO_SECCOMP_DENY_METADATA = 4,  ///< refuse chmod/chown/utime/xattr changes
};

/// Builds the exec sandbox's seccomp filter (in a child process) and stores the classic BPF program in
/// `buffer`. Returns 0 (and the byte length), or -errno.
int pico_seccomp_export(int flags, unsigned char *buffer, size_t capacity, size_t *length);

/// Resource limits for the child; 0 leaves a limit unchanged. Core dumps are always disabled.
struct pico_limits {
    unsigned long long processes;
    unsigned long long address_space_bytes;
    unsigned long long file_size_bytes;
    unsigned long long open_files;
    unsigned long long cpu_seconds;
};

/// Landlock rules of the child (applied with pico_landlock_apply).
struct pico_landlock_rules {
    int abi;                            ///< ABI version (>= 1 to apply)
    int deny_tcp;                       ///< handle TCP bind/connect with no port allowed (ABI >= 4)
    const char *const *full_paths;      ///< trees with every right except device creation and device ioctl
    size_t full_count;
    const char *const *read_exec_paths; ///< trees/files readable and executable
    size_t read_exec_count;
    const char *const *device_paths;    ///< files readable and writable (/dev/null, ...)
    size_t device_count;
};

/// Builds and enforces a Landlock ruleset on the calling thread. Returns 0 or an errno. Async-signal-safe.
int pico_landlock_apply(const struct pico_landlock_rules *rules);

/// Sets the limits (soft = hard) and RLIMIT_CORE 0. Returns 0 or an errno. Async-signal-safe.
int pico_limits_apply(const struct pico_limits *limits);

/// Empties the capability bounding, ambient, inheritable, permitted and effective sets. Returns 0 or an errno.
int pico_capabilities_drop(void);

/// Sets no_new_privs and loads a classic BPF program. Returns 0 or an errno. Async-signal-safe.
int pico_seccomp_load(const unsigned char *program, size_t length);

/// Status report the sandbox step writes to the status descriptor (shared with picoclaw-sandbox).
struct pico_child_report {
    int kind;  ///< 0: stage report (NONE right before exec), 1: final wait status from the supervisor
    int stage;
    int err;
    int landlock_applied;
    int landlock_errno;
    int wait_status;
};

/// Landlock policy for the sandboxed child.
enum pico_landlock_mode {
    PICO_LANDLOCK_OFF = 0,
    PICO_LANDLOCK_PREFERRED = 1,
    PICO_LANDLOCK_REQUIRED = 2,
};

/// Everything the child needs, prepared by the parent before fork (no allocation after fork).
struct pico_spawn_config {
    const char *path;               ///< executable, e.g. "/bin/sh"
    char *const *argv;              ///< NULL-terminated
    char *const *envp;              ///< NULL-terminated
    const char *cwd;                ///< working directory (absolute)
    int sandbox_mode;               ///< enum pico_sandbox_mode
    int landlock_mode;              ///< enum pico_landlock_mode
    int landlock_abi;               ///< ABI version probed by the parent (>= 1 to apply)
    const char *const *full_paths;  ///< trees with every filesystem right (the workspace)
    size_t full_count;
    const char *const *read_exec_paths; ///< trees/files readable and executable (system dirs)
    size_t read_exec_count;
    const char *const *device_paths;    ///< files readable and writable (/dev/null, ...)
    size_t device_count;
    int deny_tcp;                   ///< Landlock: no TCP bind/connect (ABI >= 4)
    struct pico_limits limits;      ///< applied in the child
    int join_cgroup;                ///< 1: the child first writes itself into `cgroup_procs_fd` (a pids cgroup)
    int cgroup_procs_fd;            ///< the group's cgroup.procs, open for writing (with join_cgroup)
    int drop_capabilities;          ///< empty every capability set in the child
    const unsigned char *seccomp_program; ///< classic BPF loaded in the child (NULL: none)
    size_t seccomp_length;          ///< bytes
    int seccomp_fd;                 ///< namespaces mode: memfd holding the program, passed to bwrap as fd 4
    const int *pass_fds;            ///< namespaces mode: descriptors passed to bwrap as fds 5, 6, ... (`--file N`)
    size_t pass_fd_count;
    int timeout_ms;                 ///< <= 0: no timeout
    int grace_ms;                   ///< SIGTERM → SIGKILL grace
    int cancel_fd;                  ///< readable → cancel like a timeout; -1 for none
    unsigned char *output;          ///< buffer for combined stdout+stderr
    size_t output_capacity;         ///< bytes kept; the rest is read and discarded
};

/// How the child is confined.
enum pico_sandbox_mode {
    /// fork → confine (per the fields) → exec `path`.
    PICO_SANDBOX_DIRECT = 0,
    /// fork a supervisor (own session, child subreaper) that forks the confined command and, when it ends, kills
    /// every descendant left behind, then reports the command's wait status.
    PICO_SANDBOX_SUPERVISED = 1,
    /// a supervisor as above forks → limits, no_new_privs, parent-death signal → exec `path` (bubblewrap) with the
    /// status pipe on fd 3 and the seccomp program on fd 4; the sandbox step inside reports on fd 3. The
    /// supervisor kills what bubblewrap's own parent-death signal misses (a child it left waiting at start-up).
    PICO_SANDBOX_NAMESPACES = 2,
};

/// Failure stages reported by the child (or fork) before exec.
enum pico_spawn_stage {
    PICO_STAGE_NONE = 0,
    PICO_STAGE_FORK = 1,
    PICO_STAGE_SETUP = 2,
    PICO_STAGE_CHDIR = 3,
    PICO_STAGE_LANDLOCK = 4,
    PICO_STAGE_EXEC = 5,
    PICO_STAGE_PIPE = 6,
    PICO_STAGE_LIMITS = 7,
    PICO_STAGE_CAPABILITIES = 8,
    PICO_STAGE_SECCOMP = 9,
    /// namespaces mode: bubblewrap ended before the sandbox step inside reported (output says why)
    PICO_STAGE_NAMESPACE = 10,
    /// joining the command's pids cgroup
    PICO_STAGE_CGROUP = 11,
};

/// Outcome of pico_run.
struct pico_run_result {
    int failed_stage;       ///< enum pico_spawn_stage; NONE when the command was executed
    int failed_errno;
    int landlock_applied;   ///< ABI version enforced in the child, 0 when not applied
    int landlock_errno;     ///< why Landlock was not applied (preferred mode), 0 otherwise
    int exited;             ///< 1: exit_code valid
    int exit_code;
    int signaled;           ///< 1: term_signal valid
    int term_signal;
    int timed_out;
    int cancelled;
    int step_reported;      ///< the confining step reported right before exec (namespaces mode: from inside)
    size_t output_length;
    unsigned long long dropped_bytes;
    long long duration_ns;
};

/// Fork, confine and exec per `config`, then collect output until the process exits (or times out or is
/// cancelled), kill the whole process group and reap the child. Blocks the calling thread.
/// Returns 0, or -errno when nothing could be started (result->failed_stage says where).
int pico_run(const struct pico_spawn_config *config, struct pico_run_result *result);

#ifdef __cplusplus
}
#endif
#endif
