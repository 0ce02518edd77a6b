import PicoSystem

/// One HTTP header field. Names compare case-insensitively when looked up.
public struct HTTPHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An outbound HTTP request. Defaults are safe for calling public APIs: TLS verification is always on,
/// only `http`/`https` are allowed, at most 3 redirects, a 10 MiB response cap and a 60 s total timeout.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: [UInt8]?
    /// Time allowed to establish the connection (TCP + TLS).
    public var connectTimeout: Duration
    /// Time allowed for the whole exchange, including reading the body.
    public var timeout: Duration
    /// Largest response body accepted; a larger one fails with `HTTPClientError.responseTooLarge`.
    public var maxResponseBytes: Int
    /// Proxy URL (`http://host:port`, `socks5://…`); `nil` uses libcurl's default (the `*_proxy` environment);
    /// `""` uses no proxy at all, whatever the environment says.
    public var proxy: String?
    /// Redirects followed at most (0 disables following: a 3xx is returned as the response).
    public var maxRedirects: Int
    /// Pinned addresses in libcurl `CURLOPT_RESOLVE` form (`host:port:address`): the transfer connects to these
    /// addresses without resolving the host itself, so DNS cannot change between a caller's check and the connect.
    public var resolve: [String]
    /// Keep this transfer's DNS answers (including ``resolve`` pins) in a cache of their own, apart from every other
    /// transfer's, on a connection of its own that is closed afterwards: a pin never steers unrelated requests to
    /// the same host and port, and no connection made by another transfer is reused.
    public var isolatedDNS: Bool
    /// Media types (`text/html`, ...) accepted for a 2xx body; `nil` accepts any. Another type aborts the transfer
    /// before the body is read, with ``HTTPClientError/contentTypeNotAllowed(_:)``.
    public var allowedContentTypes: [String]?

    public init(
        method: String = "GET", url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60),
        maxResponseBytes: Int = 10 << 20, proxy: String? = nil, maxRedirects: Int = 3,
        resolve: [String] = [], allowedContentTypes: [String]? = nil, isolatedDNS: Bool = false
    ) {
        self.isolatedDNS = isolatedDNS
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.proxy = proxy
        self.maxRedirects = maxRedirects
        self.resolve = resolve
        self.allowedContentTypes = allowedContentTypes
    }

    /// A POST of a JSON document (sets `Content-Type: application/json`).
    public static func postJSON(_ url: String, body: [UInt8], headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url,
            headers: [HTTPHeader("Content-Type", "application/json")] + headers, body: body)
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 (libcurl treats 0 as "no timeout").
    var clampedMilliseconds: Int { Int(max(1, min(milliseconds, Int64(Int32.max)))) }
}
