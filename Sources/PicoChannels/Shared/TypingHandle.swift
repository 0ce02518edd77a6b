/// A running "typing…" indicator; `stop()` ends it. Dropping the handle does not stop it (call `stop()`),
/// but every indicator also ends by itself after its safety limit.
public final class TypingHandle: Sendable {
    private let task: Task<Void, Never>

    init(task: Task<Void, Never>) { self.task = task }

    /// Stops the indicator (idempotent).
    public func stop() { task.cancel() }

    /// Starts a loop that calls `ping` now and then every `interval` (scaled by `timing`) until stopped or
    /// `limit` passed, or `ping` returns `false` (channel stopped). Typing is best effort: `ping` swallows errors.
    static func run(interval: Duration, limit: Duration = .seconds(300), timing: ChannelTiming,
                    ping: @escaping @Sendable () async -> Bool) -> TypingHandle {
        TypingHandle(task: Task {
            let deadline = ContinuousClock.now + timing.scaled(limit)
            while !Task.isCancelled, ContinuousClock.now < deadline {
                guard await ping() else { return }
                do { try await timing.sleep(interval) } catch { return }
            }
        })
    }
}
