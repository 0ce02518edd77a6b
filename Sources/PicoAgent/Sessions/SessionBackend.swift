import Glibc
import PicoSystem

/// Where an agent keeps its conversations: the gateway's state store (``StateSessionStore``), or JSON Lines
/// files (``SessionStore``, the format of earlier versions, kept for import and tests).
public protocol SessionBackend: Sendable {
    /// The context for the next turn of `key`: the recent messages, trimmed and repaired.
    func loadHistory(_ key: SessionKey) async throws -> [ChatMessage]
    /// Appends one turn's messages (redacted by the backend) to `key`.
    func appendTurn(_ key: SessionKey, messages: [ChatMessage]) async throws
    /// The running summary of the session's older turns ("" when there is none).
    func summary(_ key: SessionKey) async throws -> String
    /// Stores `summary` (redacted by the backend) and keeps only the newest `keepNewest` messages of `key`.
    func compact(_ key: SessionKey, summary: String, keepNewest: Int) async throws
    /// Forgets the session: its history and its summary (`/new`).
    func clear(_ key: SessionKey) async throws
    /// ``loadHistory(_:)`` and ``summary(_:)`` for the start of a turn, each with its own outcome; a backend may
    /// read both at once.
    func loadContext(
        _ key: SessionKey
    ) async -> (history: Result<[ChatMessage], any Error>, summary: Result<String, any Error>)
}

extension SessionBackend {
    public func loadContext(
        _ key: SessionKey
    ) async -> (history: Result<[ChatMessage], any Error>, summary: Result<String, any Error>) {
        let history: Result<[ChatMessage], any Error>
        do { history = .success(try await loadHistory(key)) } catch { history = .failure(error) }
        let summary: Result<String, any Error>
        do { summary = .success(try await self.summary(key)) } catch { summary = .failure(error) }
        return (history, summary)
    }
}

// Its typed-throws `loadHistory` and `appendTurn` satisfy the protocol as they are.
extension SessionStore: SessionBackend {
    var summaries: SessionSummaryStore { SessionSummaryStore(directory: directory, redactor: redactor) }

    public func summary(_ key: SessionKey) async throws -> String { await summaries.load(key) }

    public func compact(_ key: SessionKey, summary: String, keepNewest: Int) async throws {
        // Summary first: a crash before the rewrite leaves turns both summarised and in the history (harmless).
        guard await summaries.save(key, summary) else {
            throw SessionStoreError(path: summaries.path(for: key), operation: "write", errno: EIO)
        }
        let store = self
        try await DedicatedThread.run(throwing: { () throws(SessionStoreError) in
            let all = try store.loadAll(key)
            try store.rewrite(key, messages: Array(all.suffix(max(0, keepNewest))))
        })
    }

    public func clear(_ key: SessionKey) async throws {
        let store = self
        await DedicatedThread.run { store.remove(key) }
        await summaries.remove(key)
    }
}
