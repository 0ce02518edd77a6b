import PicoFakes
import PicoState
import Testing

/// The session tail the store keeps in memory (issue 18): a turn's history read costs no visit to the store's
/// thread when the store read or committed that tail last, and every change the cache cannot follow — a write
/// closure, a trim, a clear, another connection's commit, a failed commit — makes the next read go to the table.
@Suite("session tail cache")
struct SessionTailCacheTests {
    /// One inbox entry and its turn's commit with `rows` appended to session `key`.
    func turn(_ store: StateStore, _ id: String, key: String = "k", rows: [String]) async throws {
        let entry = try await store.accept([
            InboxDraft(channel: "telegram", chat: "1", messageID: id, conversation: key, payload: "{}")
        ])[0]
        _ = try await store.completeTurn(
            inboxID: entry.id, session: SessionWrite(key: key, agent: "main", messages: rows),
            reply: OutboxDraft(channel: "telegram", chat: "1", replyTo: nil, text: "r"))
    }

    /// What the table holds: the newest `limit` rows and the count.
    func stored(_ store: StateStore, _ key: String = "k", limit: Int) async throws -> ([String], Int) {
        let all = try await store.sessionMessages(key)
        return (Array(all.suffix(limit)), all.count)
    }

    @Test func aTailReadOrCommittedLastIsAnsweredWithoutAVisit() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        try await store.appendSession("k", agent: "main", messages: ["a", "b"])
        #expect(store.cachedSessionTail("k", limit: 3) == nil, "never read: not cached")
        let first = try await store.sessionTail("k", limit: 3)
        #expect(first.messages == ["a", "b"] && first.count == 2)
        #expect(store.cachedSessionTail("k", limit: 3)! == (["a", "b"], 2))

        // Committed turns extend the entry; it keeps the newest `limit` rows and counts them all.
        try await turn(store, "1", rows: ["c", "d"])
        try await turn(store, "2", rows: ["e"])
        let visits = store.operationCount
        let cached = try await store.sessionTail("k", limit: 3)
        #expect(store.operationCount == visits, "answered from memory")
        #expect(cached == (["c", "d", "e"], 5))
        #expect(try await stored(store, limit: 3) == (["c", "d", "e"], 5))
        #expect(store.cachedSessionTail("k", limit: 2)! == (["d", "e"], 5), "a shorter tail from the same entry")
        #expect(store.cachedSessionTail("k", limit: 4) == nil, "a longer tail than the entry keeps is read")

        // A session with fewer rows than the limit is held whole; appends keep it whole up to the limit.
        _ = try await store.sessionTail("new", limit: 3)
        #expect(store.cachedSessionTail("new", limit: 3)! == ([], 0))
        try await turn(store, "3", key: "new", rows: ["x"])
        #expect(store.cachedSessionTail("new", limit: 3)! == (["x"], 1))
        await store.close()
    }

    @Test func writesTheCacheCannotFollowClearIt() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        try await store.appendSession("k", agent: "main", messages: (1...6).map { "m\($0)" })

        _ = try await store.sessionTail("k", limit: 3)
        var epoch = store.sessionCacheEpoch
        try await store.write { db throws(StateError) in
            try db.execute("DELETE FROM session_messages WHERE message = 'm6'")
        }
        #expect(store.cachedSessionTail("k", limit: 3) == nil, "a write closure")
        #expect(store.sessionCacheEpoch != epoch)
        #expect(try await store.sessionTail("k", limit: 3) == (["m3", "m4", "m5"], 5))

        epoch = store.sessionCacheEpoch
        try await store.trimSession("k", keep: 2)
        #expect(store.cachedSessionTail("k", limit: 3) == nil, "a trim")
        #expect(store.sessionCacheEpoch != epoch)
        #expect(try await store.sessionTail("k", limit: 3) == (["m4", "m5"], 2))

        #expect(try await store.clearSession("k"))
        #expect(store.cachedSessionTail("k", limit: 3) == nil, "a clear")
        #expect(try await store.sessionTail("k", limit: 3) == ([], 0))

        // The idle trim gives the memory back.
        try await store.appendSession("k", agent: "main", messages: ["n"])
        #expect(store.cachedSessionTail("k", limit: 3)! == (["n"], 1))
        await store.releaseMemory()
        #expect(store.cachedSessionTail("k", limit: 3) == nil)
        await store.close()
    }

    /// A CLI command next to the gateway (`picoclaw sessions clear`) commits through its own connection: the next
    /// inbox commit notices it, so the next message's turn reads the table.
    @Test func anotherConnectionsCommitIsNoticedByTheNextInboxCommit() async throws {
        let dir = TempDir()
        let gateway = try await StateStore.open(directory: dir.at("state"))
        try await turn(gateway, "1", rows: ["u1", "a1"])
        _ = try await gateway.sessionTail("k", limit: 10)
        try await turn(gateway, "2", rows: ["u2", "a2"])
        #expect(gateway.cachedSessionTail("k", limit: 10)! == (["u1", "a1", "u2", "a2"], 4))

        let cli = try await StateStore.open(directory: dir.at("state"))
        #expect(try await cli.clearSession("k"))
        await cli.close()

        _ = try await gateway.accept([
            InboxDraft(channel: "telegram", chat: "1", messageID: "3", conversation: "k", payload: "{}")
        ])
        #expect(gateway.cachedSessionTail("k", limit: 10) == nil)
        #expect(try await gateway.sessionTail("k", limit: 10) == ([], 0))

        // The reply commit checks too: rows another connection appended are not hidden behind a stale entry.
        try await turn(gateway, "4", rows: ["u4"])
        #expect(gateway.cachedSessionTail("k", limit: 10)! == (["u4"], 1))
        let other = try await StateStore.open(directory: dir.at("state"))
        try await other.appendSession("k", agent: "main", messages: ["from the cli"])
        await other.close()
        let entry = try await gateway.accept([
            InboxDraft(channel: "telegram", chat: "1", messageID: "5", conversation: "k", payload: "{}")
        ])[0]
        _ = try await gateway.sessionTail("k", limit: 10)  // refilled after the inbox commit noticed
        let cli2 = try await StateStore.open(directory: dir.at("state"))
        try await cli2.appendSession("k", agent: "main", messages: ["again"])
        await cli2.close()
        _ = try await gateway.completeTurn(
            inboxID: entry.id, session: SessionWrite(key: "k", agent: "main", messages: ["u5"]), reply: nil)
        #expect(gateway.cachedSessionTail("k", limit: 10) == nil)
        let tail = try await gateway.sessionTail("k", limit: 10)
        #expect(tail == (["u4", "from the cli", "again", "u5"], 4))
        #expect(try await stored(gateway, limit: 10) == (tail.messages, tail.count))
        await gateway.close()
    }

    /// A commit that fails leaves the entry as it was (nothing is added for rows that were rolled back).
    @Test func aFailedCommitDoesNotExtendTheEntry() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        let entry = try await store.accept([
            InboxDraft(channel: "telegram", chat: "1", messageID: "1", conversation: "k", payload: "{}")
        ])[0]
        _ = try await store.sessionTail("k", limit: 5)
        let reply = OutboxDraft(channel: "telegram", chat: "1", replyTo: nil, text: "r")
        _ = try await store.completeTurn(
            inboxID: entry.id, session: SessionWrite(key: "k", agent: "main", messages: ["u", "a"]), reply: reply)
        // The same message's reply again: the outbox allows one per message, so the commit fails and rolls back.
        await #expect(throws: StateError.self) {
            _ = try await store.completeTurn(
                inboxID: entry.id, session: SessionWrite(key: "k", agent: "main", messages: ["lost"]), reply: reply)
        }
        #expect(store.cachedSessionTail("k", limit: 5)! == (["u", "a"], 2))
        #expect(try await stored(store, limit: 5) == (["u", "a"], 2))
        await store.close()
    }

    /// The cache is bounded: the least recently used sessions go first, by count and by bytes of text.
    @Test func theLeastRecentlyUsedSessionsAreDroppedFirst() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        for i in 0..<70 {
            try await store.appendSession("s\(i)", agent: "main", messages: ["m\(i)"])
            _ = try await store.sessionTail("s\(i)", limit: 3)
            _ = store.cachedSessionTail("s0", limit: 3)  // s0 stays in use
        }
        #expect(store.cachedSessionTail("s0", limit: 3)! == (["m0"], 1))
        #expect(store.cachedSessionTail("s1", limit: 3) == nil, "the least recently used went first")
        #expect(store.cachedSessionTail("s69", limit: 3)! == (["m69"], 1))
        let kept = (0..<70).filter { store.cachedSessionTail("s\($0)", limit: 3) != nil }.count
        #expect(kept == 64)

        // About 600 KB of text in one session: more than the cache keeps, so it is read each time.
        let big = String(repeating: "x", count: 200_000)
        try await store.appendSession("big", agent: "main", messages: [big, big, big])
        #expect(try await store.sessionTail("big", limit: 3).count == 3)
        #expect(store.cachedSessionTail("big", limit: 3) == nil)
        #expect(store.cachedSessionTail("s69", limit: 3) == nil, "evicted before the big entry was")
        await store.close()
    }
}
