import FoundationEssentials
import PicoSystem

/// When and how long to wait before retrying an HTTP request (the LLM providers use it; the channels share its
/// ``Backoff`` and its `Retry-After` parser).
///
/// Retries happen on HTTP 429/500/502/503/504 and 529 (Anthropic's `overloaded_error`), timeouts and connection errors, at most ``maxRetries`` times.
/// A `Retry-After` header (seconds or HTTP date) is honoured up to ``maxRetryAfter``; otherwise the delay is
/// ``Backoff`` (``baseDelay`` · 2ⁿ, capped at ``maxDelay``, with jitter in [50 %, 100 %]). ``sleep`` is
/// injectable so tests can record delays instead of waiting.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt.
    public var maxRetries: Int
    /// First backoff step (doubled per retry).
    public var baseDelay: Duration
    /// Largest backoff step.
    public var maxDelay: Duration
    /// Upper bound for a server-requested `Retry-After`.
    public var maxRetryAfter: Duration
    /// Waits between attempts (throws when cancelled).
    public var sleep: @Sendable (Duration) async throws -> Void

    /// HTTP statuses that are retried (529 is Anthropic's "overloaded", a 503 by another number).
    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504, 529]

    /// Creates a policy; `sleep` defaults to `Task.sleep`.
    public init(
        maxRetries: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxRetries = max(0, maxRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.sleep = sleep
    }

    /// 3 retries, 0.5 s base, 8 s cap, `Retry-After` capped at 30 s.
    public static var standard: RetryPolicy { RetryPolicy() }

    /// No retries.
    public static var none: RetryPolicy { RetryPolicy(maxRetries: 0) }

    /// The delay before retry number `retry` (0-based), honouring a `Retry-After` header value when present.
    public func delay(beforeRetry retry: Int, retryAfter: String?, now: Date = Date()) -> Duration {
        if let retryAfter, let requested = RetryPolicy.parseRetryAfter(retryAfter, now: now) {
            return min(max(requested, .zero), maxRetryAfter)
        }
        return Backoff(initial: baseDelay, max: maxDelay).delay(attempt: retry)
    }

    /// Parses `Retry-After` (the header, or a JSON body's `retry_after`): delta-seconds, fractions allowed, or an
    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). The one parser of the package: providers and channels use it.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let v = value.trimmedSpaces
        if let seconds = Double(v), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        guard let date = HTTPDate.parse(v) else { return nil }
        let diff = date.timeIntervalSince(now)
        return .milliseconds(Int64(max(0, diff) * 1000))
    }
}
