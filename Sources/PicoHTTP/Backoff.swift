/// Exponential backoff: `initial` · 2ⁿ before retry `n` (0-based), capped at `max`, with jitter in [50 %, 100 %]
/// of that (so clients that failed together do not retry together). The one backoff of the package: provider
/// retries (``RetryPolicy``), channel reconnects and deliveries, and the gateway's channel supervisor use it.
public struct Backoff: Sendable, Equatable {
    /// The first delay.
    public var initial: Duration
    /// The largest delay.
    public var max: Duration
    /// Whether the delay is jittered (`false`: exactly `initial` · 2ⁿ, capped).
    public var jitter: Bool

    /// Creates a backoff.
    public init(initial: Duration, max: Duration, jitter: Bool = true) {
        self.initial = initial
        self.max = max
        self.jitter = jitter
    }

    /// The delay before retry `attempt` (0-based).
    public func delay(attempt: Int) -> Duration {
        var d = initial * Double(1 << Swift.min(Swift.max(attempt, 0), 30))
        if d > max { d = max }
        return jitter ? d * Double.random(in: 0.5...1.0) : d
    }
}
