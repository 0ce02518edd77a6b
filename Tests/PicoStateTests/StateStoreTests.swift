import Glibc
import PicoState
import PicoFakes
import Testing

@Suite("state store")
struct StateStoreTests {
    @Test func acceptIsIdempotentPerMessageAndMovesTheCursorInTheSameTransaction() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        let a = InboxDraft(channel: "telegram", chat: "1", messageID: "10", conversation: "c1", payload: "{}")
        let b = InboxDraft(channel: "telegram", chat: "1", messageID: "11", conversation: "c1", payload: "{}")
        let first = try await store.accept(
            [a, b], cursor: CursorValue(name: "telegram.offset", value: "12", updatedAt: 0))
        #expect(first.map(\.messageID) == ["10", "11"])
        let again = try await store.accept([b], cursor: CursorValue(name: "telegram.offset", value: "13", updatedAt: 0))
        #expect(again.isEmpty)
        #expect(try await store.cursor("telegram.offset") == "13")
        #expect(try await store.openTurns().map(\.entry.messageID) == ["10", "11"])
        await store.close()
    }

    /// The idle trim frees the page cache; the data is read back from the file afterwards.
    @Test func releasingMemoryEmptiesThePageCacheAndKeepsTheData() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        let text = String(repeating: "x", count: 2000)
        for i in 0..<50 {
            _ = try await store.accept(
                [InboxDraft(channel: "telegram", chat: "1", messageID: "\(i)", conversation: "c", payload: text)])
        }
        #expect(try await store.openTurns().count == 50)
        let before = await store.cacheBytes()
        await store.releaseMemory()
        let after = await store.cacheBytes()
        #expect(before > 100_000, "the cache held the 50 rows' pages: \(before) bytes")
        #expect(after < before / 4, "page cache \(before) → \(after) bytes")
        #expect(try await store.openTurns().map(\.entry.payload) == Array(repeating: text, count: 50))
        await store.close()
        await store.releaseMemory()  // closed: nothing to do, no crash
    }

    @Test func aTurnCommitsSessionAndReplyTogetherAndDeliveryFinishesIt() async throws {
        let dir = TempDir()
        var store = try await StateStore.open(directory: dir.at("state"))
        let entry = try await store.accept([
            InboxDraft(channel: "discord", chat: "7", messageID: "m1", conversation: "k", payload: "p")
        ])[0]
        let reply = try await store.completeTurn(
            inboxID: entry.id, session: SessionWrite(key: "k", agent: "main", messages: ["u", "a"]),
            reply: OutboxDraft(channel: "discord", chat: "7", replyTo: nil, text: "hi"))
        await store.close()
        // After a "restart" the reply is still waiting to be sent, and the session holds the turn.
        store = try await StateStore.open(directory: dir.at("state"))
        let open = try await store.openTurns()
        #expect(open.count == 1)
        #expect(open[0].reply?.text == "hi")
        #expect(open[0].reply?.id == reply?.id)
        #expect(try await store.sessionMessages("k") == ["u", "a"])
        try await store.finishDelivery(outboxID: reply!.id)
        #expect(try await store.openTurns().isEmpty)
        #expect(try await store.openCount() == 0)
        await store.close()
    }

    @Test func sessionsTailTrimListAndClear() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        try await store.appendSession("s1", agent: "main", messages: (0..<10).map { "m\($0)" })
        try await store.appendSession("s2", agent: "main", messages: ["x"])
        let (tail, count) = try await store.sessionTail("s1", limit: 3)
        #expect(tail == ["m7", "m8", "m9"])
        #expect(count == 10)
        try await store.trimSession("s1", keep: 4)
        #expect(try await store.sessionMessages("s1") == ["m6", "m7", "m8", "m9"])
        #expect(Set(try await store.sessions().map(\.key)) == ["s1", "s2"])
        #expect(try await store.clearSession("s1"))
        #expect(try await store.sessionMessages("s1").isEmpty)
        #expect(!(try await store.clearSession("s1")))
        await store.close()
    }

    @Test func laterComponentsAddTablesThroughVersionedMigrations() async throws {
        let dir = TempDir()
        let v1 = StateMigration(component: "pairing", version: 1, sql: "CREATE TABLE pairing(code TEXT PRIMARY KEY)")
        var store = try await StateStore.open(directory: dir.at("state"), migrations: [v1])
        #expect(try await store.schemaVersion("core") == 1)
        #expect(try await store.schemaVersion("pairing") == 1)
        try await store.write { db throws(StateError) in try db.execute("INSERT INTO pairing(code) VALUES(?)", ["abc"])
        }
        await store.close()
        let v2 = StateMigration(
            component: "pairing", version: 2, sql: "ALTER TABLE pairing ADD COLUMN used INTEGER NOT NULL DEFAULT 0")
        store = try await StateStore.open(directory: dir.at("state"), migrations: [v1, v2])
        #expect(try await store.schemaVersion("pairing") == 2)
        let rows = try await store.read { db throws(StateError) in try db.query("SELECT code, used FROM pairing") }
        #expect(rows.map { $0.text(0) } == ["abc"])
        await store.close()
    }

    @Test func aSymlinkAnywhereOnTheWayToTheStateIsRefusedAndNothingIsWrittenThere() async throws {
        let dir = TempDir()
        mkdir(dir.at("elsewhere"), 0o700)
        symlink(dir.at("elsewhere"), dir.at("link"))
        for path in [dir.at("link/state"), dir.at("link")] {
            await #expect(throws: StateError.self) { _ = try await StateStore.open(directory: path) }
        }
        // A symlink in place of the database file itself.
        mkdir(dir.at("real"), 0o700)
        symlink(dir.at("elsewhere/target.db"), dir.at("real/state.db"))
        await #expect(throws: StateError.self) { _ = try await StateStore.open(directory: dir.at("real")) }
        var st = stat()
        #expect(lstat(dir.at("elsewhere/state"), &st) != 0)
        #expect(lstat(dir.at("elsewhere/target.db"), &st) != 0)
        #expect(lstat(dir.at("elsewhere/state.db"), &st) != 0)
    }

    @Test func theDirectoryIs0700AndTheDatabase0600() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("a/b/state"))
        await store.close()
        var st = stat()
        #expect(stat(dir.at("a/b/state"), &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(stat(dir.at("a/b/state/state.db"), &st) == 0 && st.st_mode & 0o077 == 0)
    }
}
