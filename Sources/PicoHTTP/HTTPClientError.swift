/// Why an HTTP exchange failed. Descriptions never contain URLs, headers or bodies (they may carry secrets).
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connect or total timeout elapsed.
    case timedOut
    /// The server could not be reached (refused, unreachable, DNS failure).
    case connectionFailed(String)
    /// The connection broke before a complete response arrived.
    case connectionClosed(String)
    /// The response body exceeded the request's `maxResponseBytes`.
    case responseTooLarge(limit: Int)
    /// More redirects than `maxRedirects`.
    case tooManyRedirects
    /// TLS handshake or certificate verification failed.
    case tls(String)
    /// The URL is malformed or uses a scheme other than http/https (ws/wss for WebSockets).
    case invalidURL
    /// A 2xx response's `Content-Type` is not in the request's `allowedContentTypes` (the body was not read).
    case contentTypeNotAllowed(String)
    /// Any other libcurl failure.
    case transport(code: Int, message: String)

    public var description: String {
        switch self {
        case .timedOut: return "HTTP request timed out"
        case .connectionFailed(let m): return "could not connect: \(m)"
        case .connectionClosed(let m): return "connection closed before the response completed: \(m)"
        case .responseTooLarge(let limit): return "response larger than the \(limit)-byte limit"
        case .tooManyRedirects: return "too many redirects"
        case .tls(let m): return "TLS failure: \(m)"
        case .invalidURL: return "invalid or unsupported URL"
        case .contentTypeNotAllowed(let t): return "content type '\(t)' is not accepted"
        case .transport(let code, let m): return "HTTP transport error \(code): \(m)"
        }
    }

    /// Whether retrying the same request later may succeed (timeouts and broken or refused connections).
    public var isTransient: Bool {
        switch self {
        case .timedOut, .connectionFailed, .connectionClosed: return true
        default: return false
        }
    }
}
