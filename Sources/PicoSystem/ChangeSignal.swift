import Synchronization

/// A value tasks can wait on until it changes: the gateway learns of a change when it happens instead of looking
/// again on a timer (an idle gateway then has nothing to wake for). Used for a channel's connection state and
/// the count of schedules created.
public final class ChangeSignal<Value: Equatable & Sendable>: Sendable {
    private struct State {
        var value: Value
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }
    private let state: Mutex<State>

    /// Starts at `initial`.
    public init(_ initial: Value) { state = Mutex(State(value: initial)) }

    /// The value now.
    public var value: Value { state.withLock { $0.value } }

    /// Tasks waiting in ``change(after:)`` now.
    public var waiterCount: Int { state.withLock { $0.waiters.count } }

    /// Sets the value; wakes the waiting tasks when it changed.
    public func set(_ new: Value) { update { $0 = new } }

    /// Changes the value in place; wakes the waiting tasks when it changed.
    public func update(_ body: (inout Value) -> Void) {
        let woken = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            let old = s.value
            body(&s.value)
            guard s.value != old else { return [] }
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once the value differs from `seen` (at once when it already does), or when the task is cancelled.
    public func change(after seen: Value) async {
        let id = state.withLock { s -> UInt64 in
            s.nextWaiter &+= 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let wait = state.withLock { s -> Bool in
                    guard s.value == seen, !Task.isCancelled else { return false }
                    s.waiters[id] = continuation
                    return true
                }
                if !wait { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
