import PicoHTTP

/// Delays a channel uses (backoff, retries, rate-limit waits, typing intervals), with one scale factor so
/// tests can run the real logic quickly. Production uses `.standard` (scale 1).
public struct ChannelTiming: Sendable {
    /// Multiplies every delay the channel waits for (retry_after, backoff, rate-limit and typing intervals).
    public var scale: Double
    /// Reconnect backoff: first delay.
    public var reconnectInitial: Duration
    /// Reconnect backoff: cap.
    public var reconnectMax: Duration
    /// Delivery retries (5xx/network): first delay, doubled per attempt.
    public var retryInitial: Duration
    /// Delivery retries: cap.
    public var retryMax: Duration
    /// Delivery attempts in total (first try included).
    public var maxAttempts: Int

    /// Creates timing settings.
    public init(
        scale: Double = 1, reconnectInitial: Duration = .seconds(1), reconnectMax: Duration = .seconds(60),
        retryInitial: Duration = .milliseconds(500), retryMax: Duration = .seconds(8), maxAttempts: Int = 5
    ) {
        self.scale = scale
        self.reconnectInitial = reconnectInitial
        self.reconnectMax = reconnectMax
        self.retryInitial = retryInitial
        self.retryMax = retryMax
        self.maxAttempts = max(1, maxAttempts)
    }

    /// Production timing.
    public static let standard = ChannelTiming()

    /// `d` multiplied by `scale`.
    func scaled(_ d: Duration) -> Duration { d * scale }

    /// Sleeps for `d` × `scale`; throws `CancellationError` when the task is cancelled.
    func sleep(_ d: Duration) async throws {
        let s = scaled(d)
        if s <= .zero { try Task.checkCancellation(); return }
        try await Task.sleep(for: s)
    }

    /// The delay before reconnect attempt `attempt` (0-based), 1 s → 60 s with jitter.
    func reconnectDelay(attempt: Int) -> Duration {
        Backoff(initial: reconnectInitial, max: reconnectMax).delay(attempt: attempt)
    }

    /// The delay before checking a rejected token again (attempt 0-based): 30 s doubling to 15 minutes, with
    /// jitter, so a fixed token (or a transient 401) recovers without a restart at a few requests an hour.
    func authRetryDelay(attempt: Int) -> Duration {
        Backoff(initial: .seconds(30), max: .seconds(900)).delay(attempt: attempt)
    }

    /// The delay before delivery retry `attempt` (0-based), 0.5 s·2ⁿ capped at 8 s, with jitter.
    func retryDelay(attempt: Int) -> Duration {
        Backoff(initial: retryInitial, max: retryMax).delay(attempt: attempt)
    }
}
