// Non-variadic wrappers around libmicrohttpd's variadic MHD_start_daemon (Swift cannot call C varargs).
#ifndef PICO_CMHD_SHIM_H
#define PICO_CMHD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <malloc.h>
#include <microhttpd.h>

/// Starts a daemon whose options are passed as an MHD_OPTION_ARRAY (terminated by MHD_OPTION_END).
static inline struct MHD_Daemon *pico_mhd_start(unsigned int flags, uint16_t port,
                                                MHD_AccessHandlerCallback handler, void *handler_cls,
                                                struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

// glibc allocator tuning for the gateway process (kept here because this is PicoGateway's only C module).
/// Returns free heap memory to the kernel (glibc `malloc_trim(0)`); 1 if memory was released.
static inline int pico_malloc_trim(void) { return malloc_trim(0); }
/// Caps glibc's malloc arenas (fewer arenas, less idle fragmentation for a mostly idle daemon).
static inline int pico_malloc_arena_max(int n) { return mallopt(M_ARENA_MAX, n); }
#endif
