import Synchronization

/// Gateway session facts kept across connections (for RESUME) plus the per-connection heartbeat state.
final class GatewaySession: Sendable {
    struct Resume: Sendable, Equatable {
        var sessionID: String
        var resumeURL: String?
    }
    private struct State {
        var resume: Resume?
        var seq: Int64?
        var acked = true
        var botID: String?
    }
    private let state = Mutex(State())

    /// Session to resume, if any.
    var resume: Resume? { state.withLock { $0.resume } }
    /// Last dispatch sequence number.
    var seq: Int64? { state.withLock { $0.seq } }
    /// The bot's user id (from READY).
    var botID: String? { state.withLock { $0.botID } }

    func ready(sessionID: String, resumeURL: String?, botID: String) {
        state.withLock {
            $0.resume = Resume(sessionID: sessionID, resumeURL: resumeURL)
            $0.botID = botID
        }
    }

    /// Forgets the session (next connection IDENTIFYs).
    func invalidate() {
        state.withLock {
            $0.resume = nil
            $0.seq = nil
        }
    }

    func observe(seq: Int64?) {
        guard let seq else { return }
        state.withLock { if seq > ($0.seq ?? 0) { $0.seq = seq } }
    }

    /// A new connection starts with its heartbeat considered acknowledged.
    func resetHeartbeat() { state.withLock { $0.acked = true } }

    func heartbeatAcked() { state.withLock { $0.acked = true } }

    /// Called when a heartbeat is due: returns `nil` if the previous one was never acknowledged (zombie
    /// connection), otherwise marks the new one as pending and returns the sequence number to send.
    func takeHeartbeat() -> Int64?? {
        state.withLock { s in
            guard s.acked else { return nil }
            s.acked = false
            return .some(s.seq)
        }
    }
}
