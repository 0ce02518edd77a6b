import FoundationEssentials

/// When and how long to wait before retrying a provider request.
///
/// Retries happen on HTTP 429/500/502/503/504 and 529 (Anthropic's `overloaded_error`), timeouts and connection errors, at most ``maxRetries`` times.
/// A `Retry-After` header (seconds or HTTP date) is honoured up to ``maxRetryAfter``; otherwise the delay is
/// exponential (``baseDelay`` · 2ⁿ, capped at ``maxDelay``) with jitter in [50 %, 100 %]. ``sleep`` is
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
    public init(maxRetries: Int = 3, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
                maxRetryAfter: Duration = .seconds(30),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
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
        let exp = baseDelay * (1 << min(retry, 20))
        let capped = min(exp, maxDelay)
        return capped * Double.random(in: 0.5...1.0)
    }

    /// Parses `Retry-After`: delta-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let v = value.trimmedSpaces
        if let seconds = Double(v), seconds.isFinite, seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        guard let date = HTTPDate.parse(v) else { return nil }
        let diff = date.timeIntervalSince(now)
        return .milliseconds(Int64(max(0, diff) * 1000))
    }
}

/// Minimal IMF-fixdate parser (RFC 9110 §5.6.7), enough for `Retry-After`.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5].uppercased() == "GMT",
              let day = Int(parts[1]), let monthIndex = months.firstIndex(of: parts[2].lowercased()),
              let year = Int(parts[3]) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (1...31).contains(day), (0...23).contains(hms[0]), (0...59).contains(hms[1]),
              (0...60).contains(hms[2]) else { return nil }
        let days = daysFromCivil(year: year, month: monthIndex + 1, day: day)
        let seconds = days * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
