import PicoSystem

/// Thrown by the `waitFor…` helpers when the expected state is not reached in time.
public struct FakeTimeoutError: Error, CustomStringConvertible, Sendable {
    /// What was being waited for and what was observed instead.
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Wakes waiters when a fake's recorded state changes. Lost wake-ups are avoided with a version counter:
/// read `version`, check the condition, then `wait(since:timeout:)`. The counter and its waiters are the product's
/// ``ChangeSignal``.
final class ChangeNotifier: Sendable {
    private let signal = ChangeSignal<UInt64>(0)

    var version: UInt64 { signal.value }

    /// Wakes every current waiter.
    func notify() { signal.update { $0 &+= 1 } }

    /// Returns when `notify()` was called after `version` was read, on timeout, or on cancellation.
    func wait(since version: UInt64, timeout: Duration) async {
        guard timeout > .zero else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.signal.change(after: version) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Polls `check` each time the state changes until it returns non-nil, or throws `FakeTimeoutError` after
    /// `timeout` stretched by ``Patience``.
    func waitUntil<T>(
        timeout quiet: Duration, _ what: @autoclosure () -> String, _ check: () -> T?
    ) async throws -> T {
        let clock = ContinuousClock()
        let timeout = Patience.bound(quiet)
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let v = version
            if let value = check() { return value }
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero || Task.isCancelled {
                throw FakeTimeoutError("timed out after \(timeout) waiting for \(what())")
            }
            await wait(since: v, timeout: remaining)
        }
    }
}
