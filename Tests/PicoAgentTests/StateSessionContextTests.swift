import PicoAgent
import PicoConfig
import PicoFakes
import PicoState
import Testing

/// A turn's history and summary from the state store (issue 18): answered from memory when the store read or
/// committed the session's tail last, read again after anything that may have changed them.
@Suite("state session context")
struct StateSessionContextTests {
    let key = SessionKey("agent:main:telegram:direct:42")

    /// Commits one turn the way the gateway does (inbox entry, then session + reply in one commit).
    func commitTurn(
        _ store: StateStore, _ sessions: StateSessionStore, _ id: String, _ messages: [ChatMessage]
    ) async throws {
        let entry = try await store.accept([
            InboxDraft(channel: "telegram", chat: "42", messageID: id, conversation: key.rawValue, payload: "{}")
        ])[0]
        _ = try await store.completeTurn(
            inboxID: entry.id, session: sessions.write(key, messages: messages),
            reply: OutboxDraft(channel: "telegram", chat: "42", replyTo: nil, text: messages.last?.content ?? ""))
    }

    func context(_ sessions: StateSessionStore) async throws -> (history: [String], summary: String) {
        let (history, summary) = await sessions.loadContext(key)
        return (try history.get().map(\.content), try summary.get())
    }

    @Test func theNextTurnsContextNeedsNoStoreVisitAndFollowsCompactionAndClear() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        let sessions = StateSessionStore(store: store, agentID: "main", maxHistoryMessages: 4, redactor: .none)
        #expect(try await context(sessions) == ([], ""))  // read: fills the cache

        try await commitTurn(store, sessions, "1", [.user("q1"), .assistant("a1")])
        try await commitTurn(store, sessions, "2", [.user("q2"), .assistant("a2")])
        try await commitTurn(store, sessions, "3", [.user("q3"), .assistant("a3")])
        var visits = store.operationCount
        #expect(try await context(sessions) == (["q2", "a2", "q3", "a3"], ""))
        #expect(store.operationCount == visits, "history and summary from memory")
        let fresh = StateSessionStore(store: store, agentID: "main", maxHistoryMessages: 4, redactor: .none)
        #expect(try await context(fresh) == (["q2", "a2", "q3", "a3"], ""), "the table says the same")

        // Compaction writes the summary and trims: the next context reads both again.
        try await sessions.compact(key, summary: "the user asked three questions", keepNewest: 2)
        visits = store.operationCount
        #expect(try await context(sessions) == (["q3", "a3"], "the user asked three questions"))
        #expect(store.operationCount == visits + 1, "one visit for history and summary")
        try await commitTurn(store, sessions, "4", [.user("q4"), .assistant("a4")])
        visits = store.operationCount
        #expect(try await context(sessions) == (["q3", "a3", "q4", "a4"], "the user asked three questions"))
        #expect(store.operationCount == visits)

        // /new (clear) empties both.
        try await sessions.clear(key)
        #expect(try await context(sessions) == ([], ""))

        // Another process's edit (the CLI) reaches the turn of the next message (its inbox commit notices it).
        try await commitTurn(store, sessions, "5", [.user("q5"), .assistant("a5")])
        #expect(try await context(sessions) == (["q5", "a5"], ""))
        let cli = try await StateStore.open(directory: dir.at("state"))
        let cliSessions = StateSessionStore(store: cli, agentID: "main", maxHistoryMessages: 4, redactor: .none)
        try await cliSessions.compact(key, summary: "edited elsewhere", keepNewest: 1)
        await cli.close()
        _ = try await store.accept([
            InboxDraft(channel: "telegram", chat: "42", messageID: "6", conversation: key.rawValue, payload: "{}")
        ])
        #expect(try await context(sessions) == (["a5"], "edited elsewhere"))
        await store.close()
    }
}
