import Synchronization

/// The unfinished turns per session, oldest first, so `/stop` can cancel the one running.
final class RunningTurns: Sendable {
    private struct Entry { let id: UInt64; let task: Task<AgentReply, Never> }
    private let state = Mutex<(next: UInt64, bySession: [SessionKey: [Entry]])>((0, [:]))

    func register(_ session: SessionKey, _ task: Task<AgentReply, Never>) -> UInt64 {
        state.withLock { s in
            s.next += 1
            s.bySession[session, default: []].append(Entry(id: s.next, task: task))
            return s.next
        }
    }

    func remove(_ session: SessionKey, id: UInt64) {
        state.withLock { s in
            s.bySession[session]?.removeAll { $0.id == id }
            if s.bySession[session]?.isEmpty == true { s.bySession[session] = nil }
        }
    }

    /// Cancels the oldest turn of `session`; `false` when there is none.
    func cancelOldest(_ session: SessionKey) -> Bool {
        guard let task = state.withLock({ $0.bySession[session]?.first?.task }) else { return false }
        task.cancel()
        return true
    }
}
