import CCurl

/// Thin typed helpers over a libcurl easy handle (`CURL *` is `void *` in libcurl 8).
struct CurlEasy {
    let handle: UnsafeMutableRawPointer

    init() throws(HTTPClientError) {
        _ = CurlDriver.shared  // curl_global_init runs before the first easy handle exists
        guard let h = curl_easy_init() else { throw .transport(code: -1, message: "curl_easy_init failed") }
        handle = h
    }

    @discardableResult
    func set(_ option: CURLoption, _ value: Int) -> CURLcode { pico_easy_setopt_long(handle, option, value) }

    /// Sets a string option; libcurl copies strings passed to setopt (since 7.17).
    @discardableResult
    func set(_ option: CURLoption, _ value: String) -> CURLcode {
        value.withCString { pico_easy_setopt_ptr(handle, option, $0) }
    }

    @discardableResult
    func set(_ option: CURLoption, pointer: UnsafeRawPointer?) -> CURLcode {
        pico_easy_setopt_ptr(handle, option, pointer)
    }

    func infoLong(_ info: CURLINFO) -> Int {
        var v = 0
        _ = pico_easy_getinfo_long(handle, info, &v)
        return v
    }

    func activeSocket() -> curl_socket_t {
        var s: curl_socket_t = -1
        _ = pico_easy_getinfo_socket(handle, CURLINFO_ACTIVESOCKET, &s)
        return s
    }

    /// Options every handle gets: no signals, TLS verification on, allowed protocols, timeouts, proxy.
    func applyCommon(
        protocols: String, connectTimeout: Duration, proxy: String?,
        errorBuffer: UnsafeMutablePointer<CChar>
    ) {
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_SSL_VERIFYPEER, 1)
        set(CURLOPT_SSL_VERIFYHOST, 2)
        set(CURLOPT_PROTOCOLS_STR, protocols)
        set(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout.clampedMilliseconds)
        set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        // Each transfer's send buffer (request line, headers, body pieces) is one zeroed chunk of this size, 64 KiB
        // by default: ~3 per message and one held by every request in flight, such as the idle long poll. 16 KiB
        // (libcurl's minimum) still carries any body: larger ones go out in pieces. Docs/performance.md.
        set(CURLOPT_UPLOAD_BUFFERSIZE, 16 * 1024)
        if let proxy { set(CURLOPT_PROXY, proxy) }
    }

    func cleanup() { curl_easy_cleanup(handle) }
}

/// Builds a `curl_slist` of header lines; the caller frees it with `curl_slist_free_all`.
func makeHeaderList(_ headers: [HTTPHeader]) -> UnsafeMutablePointer<curl_slist>? {
    var list: UnsafeMutablePointer<curl_slist>?
    for h in headers {
        // CR/LF in a header would let a caller inject extra headers; drop such values.
        guard !h.name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" }),
            !h.value.contains(where: { $0 == "\r" || $0 == "\n" })
        else { continue }
        let line = h.value.isEmpty ? "\(h.name);" : "\(h.name): \(h.value)"
        list = curl_slist_append(list, line)
    }
    return list
}

/// Maps a libcurl result to a typed error; `message` comes from the transfer's error buffer.
func mapCurlError(_ code: CURLcode, message: String, responseTooLarge limit: Int?) -> HTTPClientError {
    if let limit { return .responseTooLarge(limit: limit) }
    let text = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
    switch code {
    case CURLE_OPERATION_TIMEDOUT: return .timedOut
    case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
        return .connectionFailed(text)
    case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
        return .connectionClosed(text)
    case CURLE_TOO_MANY_REDIRECTS: return .tooManyRedirects
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidURL
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
        CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return .tls(text)
    default: return .transport(code: Int(code.rawValue), message: text)
    }
}
