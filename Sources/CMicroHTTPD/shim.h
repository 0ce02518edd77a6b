// Non-variadic wrappers around libmicrohttpd's variadic MHD_start_daemon (Swift cannot call C varargs).
#ifndef PICO_CMHD_SHIM_H
#define PICO_CMHD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Starts a daemon whose options are passed as an MHD_OPTION_ARRAY (terminated by MHD_OPTION_END).
static inline struct MHD_Daemon *pico_mhd_start(unsigned int flags, uint16_t port,
                                                MHD_AcceptPolicyCallback apc, void *apc_cls,
                                                MHD_AccessHandlerCallback handler, void *handler_cls,
                                                struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, apc, apc_cls, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// The socket of a connection (-1 if unknown).
static inline int pico_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

/// The peer address of a connection (NULL if unknown).
static inline const struct sockaddr *pico_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

/// MHD_OPTION_NOTIFY_CONNECTION needs a function pointer in ptr_value: this builds that option item.
static inline struct MHD_OptionItem pico_mhd_notify_option(MHD_NotifyConnectionCallback callback, void *cls) {
    struct MHD_OptionItem item = { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)callback, cls };
    return item;
}

#endif
