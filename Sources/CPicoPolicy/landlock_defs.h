// Landlock constants and structures up to ABI 7, defined here because the distribution's kernel headers
// (linux-libc-dev 6.1) stop at ABI 2. Private to CPicoPolicy.
#ifndef PICO_LANDLOCK_DEFS_H
#define PICO_LANDLOCK_DEFS_H

#include <stdint.h>

#define PICO_SYS_landlock_create_ruleset 444
#define PICO_SYS_landlock_add_rule 445
#define PICO_SYS_landlock_restrict_self 446
#define PICO_SYS_pidfd_open 434
#define PICO_SYS_close_range 436

#define PICO_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define PICO_LANDLOCK_RULE_PATH_BENEATH 1

#define PICO_LL_FS_EXECUTE (1ULL << 0)
#define PICO_LL_FS_WRITE_FILE (1ULL << 1)
#define PICO_LL_FS_READ_FILE (1ULL << 2)
#define PICO_LL_FS_READ_DIR (1ULL << 3)
#define PICO_LL_FS_REMOVE_DIR (1ULL << 4)
#define PICO_LL_FS_REMOVE_FILE (1ULL << 5)
#define PICO_LL_FS_MAKE_CHAR (1ULL << 6)
#define PICO_LL_FS_MAKE_DIR (1ULL << 7)
#define PICO_LL_FS_MAKE_REG (1ULL << 8)
#define PICO_LL_FS_MAKE_SOCK (1ULL << 9)
#define PICO_LL_FS_MAKE_FIFO (1ULL << 10)
#define PICO_LL_FS_MAKE_BLOCK (1ULL << 11)
#define PICO_LL_FS_MAKE_SYM (1ULL << 12)
#define PICO_LL_FS_REFER (1ULL << 13)      /* ABI 2 */
#define PICO_LL_FS_TRUNCATE (1ULL << 14)   /* ABI 3 */
#define PICO_LL_FS_IOCTL_DEV (1ULL << 15)  /* ABI 5 */

#define PICO_LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define PICO_LL_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */

/// Rights that only make sense on directories.
#define PICO_LL_FS_DIR_ONLY                                                                                  \
    (PICO_LL_FS_READ_DIR | PICO_LL_FS_REMOVE_DIR | PICO_LL_FS_REMOVE_FILE | PICO_LL_FS_MAKE_CHAR |          \
     PICO_LL_FS_MAKE_DIR | PICO_LL_FS_MAKE_REG | PICO_LL_FS_MAKE_SOCK | PICO_LL_FS_MAKE_FIFO |              \
     PICO_LL_FS_MAKE_BLOCK | PICO_LL_FS_MAKE_SYM | PICO_LL_FS_REFER)

struct pico_ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct pico_ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#endif
