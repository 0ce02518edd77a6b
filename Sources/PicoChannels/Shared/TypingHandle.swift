/// A running "typing…" indicator; `stop()` ends it. Dropping the handle does not stop it (call `stop()`),
/// but every indicator also ends by itself after its safety limit.
public final class TypingHandle: Sendable {
    private let task: Task<Void, Never>

    init(task: Task<Void, Never>) { self.task = task }

    /// Stops the indicator (idempotent).
    public func stop() { task.cancel() }

    /// Waits until the indicator has ended (after ``stop()``: no request is sent after this returns).
    func ended() async { await task.value }

    /// Starts a loop that calls `ping` after `delay`, then every `interval` (both scaled by `timing`) until
    /// stopped or `limit` passed, or `ping` returns `false` (channel stopped). Stopped within `delay` (a quick
    /// reply), it never pings. Typing is best effort: `ping` swallows errors.
    static func run(
        after delay: Duration = .zero, interval: Duration, limit: Duration = .seconds(300),
        timing: ChannelTiming, ping: @escaping @Sendable () async -> Bool
    ) -> TypingHandle {
        TypingHandle(
            task: Task {
                let deadline = ContinuousClock.now + timing.scaled(limit)
                if delay > .zero {
                    do { try await timing.sleep(delay) } catch { return }
                }
                while !Task.isCancelled, ContinuousClock.now < deadline {
                    guard await ping() else { return }
                    do { try await timing.sleep(interval) } catch { return }
                }
            })
    }
}
