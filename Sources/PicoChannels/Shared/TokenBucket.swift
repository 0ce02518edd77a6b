import PicoSystem
import Synchronization

/// A token-bucket rate limit: `rate` sends per second with bursts of `burst`. Callers reserve a slot and
/// learn how long to wait for it (reservations are never lost, so concurrent senders queue fairly).
public struct RateLimit: Sendable, Equatable {
    /// Sustained sends per second.
    public var perSecond: Double
    /// Sends allowed back to back.
    public var burst: Int

    /// Creates a limit.
    public init(perSecond: Double, burst: Int) {
        self.perSecond = max(perSecond, 0.001)
        self.burst = max(burst, 1)
    }

    /// No practical limit (for tests).
    public static let unlimited = RateLimit(perSecond: 1_000_000, burst: 1_000_000)
}

/// A thread-safe token bucket, optionally keyed (one bucket per chat).
final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let limit: RateLimit
    private let buckets = Mutex<[String: Bucket]>([:])

    init(_ limit: RateLimit) { self.limit = limit }

    /// Takes one token for `key` and returns how long the caller must wait before using it.
    func reserve(_ key: String = "") -> Duration {
        let now = ContinuousClock.now
        return buckets.withLock { all in
            var b = all[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            let elapsed = (now - b.updated).seconds
            b.tokens = min(Double(limit.burst), b.tokens + elapsed * limit.perSecond)
            b.updated = now
            b.tokens -= 1
            all[key] = b
            if all.count > 4096 { all = all.filter { $0.value.tokens < Double(limit.burst) - 1 } }
            return b.tokens >= 0 ? .zero : .seconds(double: -b.tokens / limit.perSecond)
        }
    }

    /// Waits for one token for `key` (the wait is real time, unscaled: limits protect the real platform).
    func acquire(_ key: String = "") async throws {
        let wait = reserve(key)
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
