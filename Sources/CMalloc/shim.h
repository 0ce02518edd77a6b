// glibc's allocator controls (<malloc.h>), which Swift's Glibc module does not export.
#ifndef PICO_CMALLOC_SHIM_H
#define PICO_CMALLOC_SHIM_H
#include <malloc.h>

/// Returns free heap memory to the kernel (glibc `malloc_trim(0)`); 1 if memory was released.
static inline int pico_malloc_trim(void) { return malloc_trim(0); }
/// Caps glibc's malloc arenas (fewer arenas, less idle fragmentation for a mostly idle daemon).
static inline int pico_malloc_arena_max(int n) { return mallopt(M_ARENA_MAX, n); }
#endif
