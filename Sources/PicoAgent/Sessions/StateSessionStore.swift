import FoundationEssentials
import PicoConfig
import PicoState

/// Sessions in the gateway's state store (`session_messages`), out of every workspace: no tool of any chat can
/// read or change them. Each message is one redacted JSON row; loading reads only the recent tail.
public struct StateSessionStore: SessionBackend {
    /// The store.
    public let store: StateStore
    /// The agent these sessions belong to (recorded with each session).
    public let agentID: String
    /// Messages kept as context.
    public let maxHistoryMessages: Int
    let redactor: SecretRedactor

    /// Creates the backend of one agent.
    public init(store: StateStore, agentID: String, maxHistoryMessages: Int = 40, redactor: SecretRedactor) {
        self.store = store
        self.agentID = agentID
        self.maxHistoryMessages = max(1, maxHistoryMessages)
        self.redactor = redactor
    }

    /// Sessions holding more messages than this are trimmed on load.
    public var compactionThreshold: Int { max(4 * maxHistoryMessages, 200) }

    public func loadHistory(_ key: SessionKey) async throws -> [ChatMessage] {
        // One more than the limit, so trimming the tail equals trimming the whole session.
        let (rows, count) = try await store.sessionTail(key.rawValue, limit: maxHistoryMessages + 1)
        let trimmed = HistoryTrimmer.trim(Self.decode(rows), limit: maxHistoryMessages)
        if count > compactionThreshold { try await store.trimSession(key.rawValue, keep: maxHistoryMessages + 1) }
        return HistoryTrimmer.repair(trimmed)
    }

    public func appendTurn(_ key: SessionKey, messages: [ChatMessage]) async throws {
        try await store.appendSession(key.rawValue, agent: agentID, messages: encode(messages))
    }

    /// The write of one turn, for committing together with its reply (``StateStore/completeTurn(inboxID:session:reply:)``).
    public func write(_ key: SessionKey, messages: [ChatMessage]) -> SessionWrite {
        SessionWrite(key: key.rawValue, agent: agentID, messages: encode(messages))
    }

    /// One redacted JSON text per message.
    public func encode(_ messages: [ChatMessage]) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return messages.compactMap { m in
            guard let data = try? encoder.encode(m) else { return nil }
            return redactor.redact(String(decoding: data, as: UTF8.self))
        }
    }

    /// The messages of stored rows (rows that do not decode are skipped).
    public static func decode(_ rows: [String]) -> [ChatMessage] {
        let decoder = JSONDecoder()
        return rows.compactMap { try? decoder.decode(ChatMessage.self, from: Data($0.utf8)) }
    }
}
