// Typed, non-variadic wrappers around libcurl's variadic calls (Swift cannot call C varargs).
// One wrapper per argument type: the CURLOPT_* / CURLINFO_* constant stays a parameter.
#ifndef PICO_CCURL_SHIM_H
#define PICO_CCURL_SHIM_H
#include <curl/curl.h>
#include <stddef.h>
#include <sys/eventfd.h>  // the network loop's wake-up

typedef size_t (*pico_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*pico_curl_xferinfo_cb)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                     curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode pico_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pico_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pico_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pico_easy_setopt_data_cb(CURL *h, CURLoption o, pico_curl_data_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode pico_easy_setopt_xferinfo_cb(CURL *h, CURLoption o, pico_curl_xferinfo_cb v) { return curl_easy_setopt(h, o, v); }

static inline CURLcode pico_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode pico_easy_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode pico_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode pico_easy_getinfo_socket(CURL *h, CURLINFO i, curl_socket_t *v) { return curl_easy_getinfo(h, i, v); }

static inline CURLSHcode pico_share_setopt_long(CURLSH *s, CURLSHoption o, long v) { return curl_share_setopt(s, o, v); }
static inline CURLMcode pico_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

typedef int (*pico_curl_socket_cb)(CURL *easy, curl_socket_t s, int what, void *clientp, void *socketp);
typedef int (*pico_curl_timer_cb)(CURLM *multi, long timeout_ms, void *clientp);
static inline CURLMcode pico_multi_setopt_ptr(CURLM *m, CURLMoption o, void *v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode pico_multi_setopt_socket_cb(CURLM *m, pico_curl_socket_cb v) {
    return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, v);
}
static inline CURLMcode pico_multi_setopt_timer_cb(CURLM *m, pico_curl_timer_cb v) {
    return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, v);
}

/// The result code of a finished transfer (CURLMsg keeps it in a union Swift cannot read directly).
static inline CURLcode pico_msg_result(const CURLMsg *msg) { return msg->data.result; }

/// Whether this libcurl was built with WebSocket support (curl >= 7.86 with ws enabled).
static inline int pico_curl_has_websockets(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (!info || !info->protocols) return 0;
    for (const char *const *p = info->protocols; *p; p++) {
        if ((*p)[0] == 'w' && (*p)[1] == 's' && (*p)[2] == '\0') return 1;
    }
    return 0;
}

static inline const char *pico_curl_version(void) { return curl_version(); }
#endif
