import Synchronization

/// A clock that only moves when a test moves it: inject ``now()`` where the code under test reads the time, then
/// ``advance(by:)`` instead of sleeping for time to pass.
public final class ManualClock: Sendable {
    private let current: Mutex<ContinuousClock.Instant>

    /// Starts at `start` (the real now by default, so instants compare sensibly with real ones).
    public init(start: ContinuousClock.Instant = ContinuousClock.now) { current = Mutex(start) }

    /// The clock's time.
    public func now() -> ContinuousClock.Instant { current.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) { current.withLock { $0 = $0.advanced(by: duration) } }
}
