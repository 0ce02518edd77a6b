import FoundationEssentials
import Glibc
import PicoConfig
import PicoState
import Synchronization

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
    /// Summaries read with the history, valid while the store's session cache epoch is unchanged.
    let summaries = SummaryMemo()

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
        return try await history(key, rows: rows, count: count)
    }

    /// The context from the stored tail `rows` of a session holding `count` messages (trimming it when too long).
    private func history(_ key: SessionKey, rows: [String], count: Int) async throws -> [ChatMessage] {
        let trimmed = HistoryTrimmer.trim(Self.decodeTail(rows), limit: maxHistoryMessages)
        if count > compactionThreshold { try await store.trimSession(key.rawValue, keep: maxHistoryMessages + 1) }
        return HistoryTrimmer.repair(trimmed)
    }

    /// The history and the summary: from memory when the store holds the session's tail (it read or committed it
    /// last, see ``StateStore/cachedSessionTail(_:limit:)``) and the summary was read under the same cache epoch;
    /// else both in one visit to the store's thread.
    public func loadContext(
        _ key: SessionKey
    ) async -> (history: Result<[ChatMessage], any Error>, summary: Result<String, any Error>) {
        let limit = maxHistoryMessages + 1  // as in loadHistory
        let tail: (messages: [String], count: Int, summary: String)
        if let cached = store.cachedSessionTail(key.rawValue, limit: limit),
            let summary = summaries.summary(key.rawValue, epoch: store.sessionCacheEpoch)
        {
            tail = (cached.messages, cached.count, summary)
        } else {
            do {
                try await SessionSummaryTable.ensure(store)
                let epoch = store.sessionCacheEpoch  // before the read: a clear during it makes the summary stale
                let read = try await store.sessionTail(key.rawValue, limit: limit) { db throws(StateError) in
                    try Self.summary(db, key)
                }
                summaries.remember(read.extra, for: key.rawValue, epoch: epoch)
                tail = (read.tail.messages, read.tail.count, read.extra)
            } catch {
                return (.failure(error), .failure(error))
            }
        }
        do {
            return (.success(try await history(key, rows: tail.messages, count: tail.count)), .success(tail.summary))
        } catch {
            return (.failure(error), .success(tail.summary))
        }
    }

    public func appendTurn(_ key: SessionKey, messages: [ChatMessage]) async throws {
        try await store.appendSession(key.rawValue, agent: agentID, messages: encode(messages))
    }

    /// The write of one turn, for committing together with its reply (``StateStore/completeTurn(inboxID:session:reply:)``).
    public func write(_ key: SessionKey, messages: [ChatMessage]) -> SessionWrite {
        SessionWrite(key: key.rawValue, agent: agentID, messages: encode(messages))
    }

    public func summary(_ key: SessionKey) async throws -> String {
        try await SessionSummaryTable.ensure(store)
        return try await store.read { db throws(StateError) in try Self.summary(db, key) }
    }

    private static func summary(_ db: StateDatabase, _ key: SessionKey) throws(StateError) -> String {
        try db.queryOne("SELECT summary FROM session_summaries WHERE session = ?", [.text(key.rawValue)])?.text(0) ?? ""
    }

    /// The summary and the trim in one durable transaction.
    public func compact(_ key: SessionKey, summary: String, keepNewest: Int) async throws {
        try await SessionSummaryTable.ensure(store)
        let text = redactor.redact(String(summary.prefix(SessionSummaryStore.maxCharacters)))
        try await store.write { db throws(StateError) in
            try db.execute(
                """
                INSERT INTO session_summaries(session, summary, updated_at) VALUES(?, ?, strftime('%s','now'))
                ON CONFLICT(session) DO UPDATE SET summary = excluded.summary, updated_at = excluded.updated_at
                """, [.text(key.rawValue), .text(text)])
            try db.execute(
                """
                DELETE FROM session_messages WHERE session = ? AND id NOT IN
                  (SELECT id FROM session_messages WHERE session = ? ORDER BY id DESC LIMIT ?)
                """, [.text(key.rawValue), .text(key.rawValue), .int(max(0, keepNewest))])
        }
    }

    public func clear(_ key: SessionKey) async throws {
        try await SessionSummaryTable.ensure(store)
        try await store.write { db throws(StateError) in
            try db.execute("DELETE FROM session_summaries WHERE session = ?", [.text(key.rawValue)])
        }
        try await store.clearSession(key.rawValue)
    }

    /// One redacted JSON text per message.
    public func encode(_ messages: [ChatMessage]) -> [String] {
        messages.map { redactor.redact($0.jsonRecord) }
    }

    /// The messages of stored rows (rows that do not decode are skipped).
    public static func decode(_ rows: [String]) -> [ChatMessage] {
        rows.compactMap { try? JSONObjectReader.read(ChatMessage.self, from: Array($0.utf8)) }
    }

    /// ``decode(_:)`` for a session's tail. A conversation's next turn reads the same tail again plus its newest
    /// rows: rows the last call read are taken from ``lastDecoded`` (by their exact bytes), not parsed again.
    static func decodeTail(_ rows: [String]) -> [ChatMessage] {
        let known = lastDecoded.withLock { $0 }
        var decoded: [RowText: ChatMessage] = [:]
        decoded.reserveCapacity(rows.count)
        let messages = rows.compactMap { row -> ChatMessage? in
            let key = RowText(row)
            guard let message = known[key] ?? (try? JSONObjectReader.read(ChatMessage.self, from: Array(row.utf8)))
            else { return nil }
            decoded[key] = message
            return message
        }
        lastDecoded.withLock { $0 = decoded }
        return messages
    }

    /// The rows decoded by the last ``decodeTail(_:)`` (one session's tail: a few KB) and their messages.
    private static let lastDecoded = Mutex<[RowText: ChatMessage]>([:])
}

/// A stored row compared and hashed by its UTF-8 bytes (`String` equality is canonical equivalence: two rows
/// that differ only in Unicode normalisation are different rows here).
struct RowText: Hashable, Sendable {
    let text: String
    init(_ text: String) { self.text = text }

    static func == (a: RowText, b: RowText) -> Bool {
        var x = a.text
        var y = b.text
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == q.count && (p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0)
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Session summaries as last read, each tagged with the store's session cache epoch at the read
/// (``StateStore/sessionCacheEpoch``): every write that may change a summary (``StateSessionStore/compact(_:summary:keepNewest:)``
/// and ``StateSessionStore/clear(_:)`` go through ``StateStore/write(_:)``, another process's commit is noticed by
/// the store) moves the epoch, which retires every entry.
final class SummaryMemo: Sendable {
    private let entries = Mutex<(epoch: Int, summaries: [String: String])>((0, [:]))

    /// The summary of `key` read under `epoch`, if any.
    func summary(_ key: String, epoch: Int) -> String? {
        entries.withLock { $0.epoch == epoch ? $0.summaries[key] : nil }
    }

    /// Remembers `summary`, read under `epoch`.
    func remember(_ summary: String, for key: String, epoch: Int) {
        entries.withLock { e in
            if epoch < e.epoch { return }  // read before a clear: stale
            if epoch > e.epoch { e = (epoch, [:]) }
            if e.summaries[key] == nil, e.summaries.count >= 128, let any = e.summaries.keys.first {
                e.summaries[any] = nil  // bounded; the store's tail cache decides what stays in memory
            }
            e.summaries[key] = summary
        }
    }
}

/// The `session_summaries` table (component `session_summaries`), created on first use.
enum SessionSummaryTable {
    static let migrations = [
        StateMigration(
            component: "session_summaries", version: 1,
            sql: """
                CREATE TABLE session_summaries(session TEXT PRIMARY KEY, summary TEXT NOT NULL, updated_at INTEGER NOT NULL)
                """)
    ]
    private static let migrated = Mutex<Set<String>>([])

    static func ensure(_ store: StateStore) async throws {
        if migrated.withLock({ $0.contains(store.path) }) { return }
        try await store.migrate(migrations)
        _ = migrated.withLock { $0.insert(store.path) }
    }
}
