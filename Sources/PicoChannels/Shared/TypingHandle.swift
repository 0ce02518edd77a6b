/// A running "typing…" indicator; `stop()` ends it. Dropping the handle does not stop it (call `stop()`),
/// but every indicator also ends by itself after its safety limit.
public final class TypingHandle: Sendable {
    private let loop: DelayedTask

    init(loop: DelayedTask) { self.loop = loop }

    /// Stops the indicator (idempotent).
    public func stop() { loop.cancel() }

    /// Waits until the indicator has ended (after ``stop()``: no request is sent after this returns).
    func ended() async { await loop.wait() }

    /// Starts a loop that calls `ping` after `delay`, then every `interval` (both scaled by `timing`) until
    /// stopped or `limit` passed, or `ping` returns `false` (channel stopped). Stopped within `delay` (a quick
    /// reply), it never pings, and no task or timer of its own was made for it (``DelayedTask``). Typing is best
    /// effort: `ping` swallows errors.
    static func run(
        after delay: Duration = .zero, interval: Duration, limit: Duration = .seconds(300),
        timing: ChannelTiming, ping: @escaping @Sendable () async -> Bool
    ) -> TypingHandle {
        let deadline = ContinuousClock.now + timing.scaled(limit)
        return TypingHandle(
            loop: DelayedTask(after: timing.scaled(delay)) {
                while !Task.isCancelled, ContinuousClock.now < deadline {
                    guard await ping() else { return }
                    do { try await timing.sleep(interval) } catch { return }
                }
            })
    }
}
