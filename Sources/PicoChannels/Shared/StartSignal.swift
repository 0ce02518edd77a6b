import Synchronization

/// A one-shot result that `start()` waits for while the background loop makes the first connection.
final class StartSignal: Sendable {
    private struct State {
        var result: Result<Void, ChannelError>?
        var waiters: [CheckedContinuation<Void, any Error>] = []
    }
    private let state = Mutex(State())

    /// Resolves the signal (later calls are ignored).
    func resolve(_ result: Result<Void, ChannelError>) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            guard s.result == nil else { return [] }
            s.result = result
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(with: result.mapError { $0 as any Error }) }
    }

    /// Waits for the result.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { s -> Result<Void, ChannelError>? in
                if s.result == nil { s.waiters.append(c) }
                return s.result
            }
            if let result { c.resume(with: result.mapError { $0 as any Error }) }
        }
    }
}
