import Synchronization

/// Thrown by the `waitFor…` helpers when the expected state is not reached in time.
public struct FakeTimeoutError: Error, CustomStringConvertible, Sendable {
    /// What was being waited for and what was observed instead.
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Wakes waiters when a fake's recorded state changes. Lost wake-ups are avoided with a version counter:
/// read `version`, check the condition, then `wait(since:timeout:)`.
final class ChangeNotifier: Sendable {
    private struct State {
        var version: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = Mutex(State())

    var version: UInt64 { state.withLock { $0.version } }

    /// Wakes every current waiter.
    func notify() {
        let conts = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.version &+= 1
            let c = Array(s.waiters.values)
            s.waiters.removeAll()
            return c
        }
        for c in conts { c.resume() }
    }

    /// Returns when `notify()` was called after `version` was read, on timeout, or on cancellation.
    func wait(since version: UInt64, timeout: Duration) async {
        guard timeout > .zero else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitRaw(since: version) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitRaw(since version: UInt64) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID &+= 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.version != version || Task.isCancelled { return true }
                    s.waiters[id] = cont
                    return false
                }
                if resumeNow { cont.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.waiters.removeValue(forKey: id) }
            c?.resume()
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
