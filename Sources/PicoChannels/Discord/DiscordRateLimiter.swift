import PicoHTTP
import PicoSystem
import Synchronization

/// Discord's REST rate limits: per-route buckets from `X-RateLimit-Remaining` / `X-RateLimit-Reset-After`,
/// and the global limit from a 429 with `global: true`. Callers ask how long to wait before a request.
final class DiscordRateLimiter: Sendable {
    private struct Bucket {
        var remaining: Int
        var resetAt: ContinuousClock.Instant
    }
    private struct State {
        var buckets: [String: Bucket] = [:]
        var globalUntil: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    private let timing: ChannelTiming

    init(timing: ChannelTiming) { self.timing = timing }

    /// How long to wait before sending on `route`; reserves one request of the bucket.
    func reserve(_ route: String) -> Duration {
        let now = ContinuousClock.now
        return state.withLock { s in
            var wait = Duration.zero
            if let until = s.globalUntil {
                if until > now { wait = until - now } else { s.globalUntil = nil }
            }
            if var b = s.buckets[route] {
                if b.resetAt <= now {
                    s.buckets[route] = nil
                } else if b.remaining <= 0 {
                    wait = max(wait, b.resetAt - now)
                } else {
                    b.remaining -= 1
                    s.buckets[route] = b
                }
            }
            return wait
        }
    }

    /// Learns from a response's rate-limit headers (and 429 body).
    func update(_ route: String, response: HTTPResponse, retryAfter: Duration?, global: Bool) {
        let now = ContinuousClock.now
        state.withLock { s in
            if response.status == 429, global, let retryAfter {
                s.globalUntil = now + timing.scaled(retryAfter)
            }
            if let remaining = response.header("X-RateLimit-Remaining").flatMap({ Int($0) }),
                let resetAfter = response.header("X-RateLimit-Reset-After").flatMap({ Double($0) })
            {
                s.buckets[route] = Bucket(
                    remaining: remaining, resetAt: now + timing.scaled(.seconds(double: resetAfter)))
            }
            if s.buckets.count > 1024 { s.buckets = s.buckets.filter { $0.value.resetAt > now } }
        }
    }
}
