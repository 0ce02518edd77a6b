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

/// The Landlock ABI version the kernel reports, or -errno when Landlock is unavailable.
int pico_landlock_abi(void);

/// pipe2(fds, O_CLOEXEC). Returns 0 or -errno.
int pico_pipe_cloexec(int fds[2]);

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
    int landlock_mode;              ///< enum pico_landlock_mode
    int landlock_abi;               ///< ABI version probed by the parent (>= 1 to apply)
    const char *const *full_paths;  ///< trees with every filesystem right (the workspace)
    size_t full_count;
    const char *const *read_exec_paths; ///< trees/files readable and executable (system dirs)
    size_t read_exec_count;
    const char *const *device_paths;    ///< files readable and writable (/dev/null, ...)
    size_t device_count;
    int timeout_ms;                 ///< <= 0: no timeout
    int grace_ms;                   ///< SIGTERM → SIGKILL grace
    int cancel_fd;                  ///< readable → cancel like a timeout; -1 for none
    unsigned char *output;          ///< buffer for combined stdout+stderr
    size_t output_capacity;         ///< bytes kept; the rest is read and discarded
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
