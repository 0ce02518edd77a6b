import PicoHTTP

/// Why a call to a chat platform's HTTP API failed (Telegram's Bot API, Discord's REST API): one shape for both, so
/// delivery retries, rate limits and token checks read them alike. Descriptions never contain the token or URLs.
enum ChannelAPIError: Error, Sendable, CustomStringConvertible {
    /// The platform answered with an error: the call (a Bot API method, a REST route), the HTTP status, the
    /// platform's message (redacted) and the wait it asked for (`retry_after` or `Retry-After`).
    case http(call: String, status: Int, message: String, retryAfter: Duration?)
    /// The reply was not the JSON we expect.
    case malformed(call: String)
    /// The request did not complete.
    case transport(call: String, HTTPClientError)

    var description: String {
        switch self {
        case .http(let call, let status, let message, _): return "\(call): HTTP \(status): \(message)"
        case .malformed(let call): return "\(call): malformed reply"
        case .transport(let call, let error): return "\(call): \(error.description)"
        }
    }

    /// The HTTP status of an error answer.
    var status: Int? {
        if case .http(_, let status, _, _) = self { return status }
        return nil
    }

    /// Whether the platform refused the token (401).
    var isUnauthorized: Bool { status == 401 }

    /// How the failed call counts for delivery retries.
    var deliveryOutcome: AttemptOutcome {
        switch self {
        case .http(_, let status, _, let retryAfter):
            return classify(status: status, retryAfter: retryAfter, reason: description)
        case .malformed:
            return .transient(description)
        case .transport(_, let http):
            return http.isTransient ? .transient(description) : .permanent(description)
        }
    }
}
