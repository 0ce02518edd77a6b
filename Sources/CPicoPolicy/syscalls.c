// Thin wrappers over Linux system calls that Swift cannot call directly (variadic syscall(2), _GNU_SOURCE).
#define _GNU_SOURCE
#include "cpicopolicy.h"
#include "landlock_defs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int pico_openat2_beneath(int dirfd, const char *path, int flags, unsigned int mode, int no_symlinks) {
    struct open_how how = {0};
    how.flags = (uint64_t)(unsigned int)flags;
    /* The kernel refuses a non-zero mode without O_CREAT/O_TMPFILE. */
    how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
    long fd;
    do {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return fd < 0 ? -errno : (int)fd;
}


int pico_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : -errno;
}

int pico_memfd_with(const unsigned char *bytes, size_t length) {
    int fd = (int)syscall(SYS_memfd_create, "picoclaw-seccomp", 1U /* MFD_CLOEXEC */);
    if (fd < 0) return -errno;
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, bytes + done, length - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            close(fd);
            return -err;
        }
        done += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

int pico_executable_path(char *buffer, size_t capacity) {
    ssize_t n = readlink("/proc/self/exe", buffer, capacity - 1);
    if (n < 0) return -errno;
    buffer[n] = '\0';
    return (int)n;
}
