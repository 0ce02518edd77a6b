import Glibc
import PicoFakes
import Testing

@testable import PicoState

/// Core schema version 2 and usage version 2 (fewer pages written per message) applied to a version-1
/// database full of rows, and to the image a crash in the middle of that migration leaves on disk.
@Suite("state schema migration")
struct StateSchemaMigrationTests {
    @Test func aVersion1DatabaseKeepsItsIdsOpenTurnsSessionsCursorsAndUsage() async throws {
        let dir = TempDir()
        let state = dir.mkdir("state")
        try StateV1Fixture.make(state)
        let store = try await StateStore.open(directory: state, migrations: OwnerControlsSchema.migrations)
        #expect(try await store.schemaVersion("core") == 2)
        #expect(try await store.schemaVersion("usage") == 2)
        #expect(try await store.schemaVersion("pairing") == 1)

        let open = try await store.openTurns()
        #expect(open.map(\.entry.id) == StateV1Fixture.openIDs)
        #expect(open.map(\.entry.payload) == [#"{"n":7}"#, #"{"n":8}"#, #"{"n":9}"#])
        #expect(open.map(\.entry.attempts) == [1, 2, 1])
        #expect(open.map(\.entry.state) == [.answered, .pending, .pending])
        #expect(open[0].reply?.text == "reply seven")
        #expect(open[0].reply?.replyTo == "m7")
        #expect(open[0].reply?.inboxID == StateV1Fixture.answeredID)
        #expect(open[1].reply == nil && open[2].reply == nil)

        for key in ["c0", "c1"] {
            let expected = StateV1Fixture.session(key)
            #expect(try await store.sessionMessages(key) == expected.map(\.1))
            let ids = try await store.read { db throws(StateError) in
                try db.query("SELECT id FROM session_messages WHERE session = ? ORDER BY id", [.text(key)]).map {
                    $0.int(0)
                }
            }
            #expect(ids == expected.map(\.0), "session \(key) keeps its message ids")
        }
        #expect(try await store.sessions().map(\.agent).sorted() == ["helper", "main"])
        #expect(try await store.cursor("telegram.offset") == "110")
        let usage = try await store.usage(channel: "telegram", sender: "1", now: 1_796_126_400)  // 2026-12-01
        #expect(usage.messages == 3 && usage.modelCalls == 2 && usage.tokens == 150 && usage.costMicroUSD == 7)
        #expect(
            !(try await store.firstLimitNotice(channel: "telegram", sender: "1", kind: "tokens", now: 1_796_126_400)))
        #expect(try await store.isPaired(channel: "telegram", sender: "1"))

        // The delivered reply finishes its message; the next message gets a new id, above every id given so far.
        try await store.finishDelivery(outboxID: open[0].reply!.id)
        #expect(try await store.openTurns().map(\.entry.id) == [8, 9])
        let next = try await store.accept([
            InboxDraft(channel: "telegram", chat: "1", messageID: "m10", conversation: "c1", payload: "{}")
        ])
        #expect(next.map(\.id) == [StateV1Fixture.highestInboxID + 1])
        // A re-delivery of a migrated message is still recognised.
        #expect(
            try await store.accept([
                InboxDraft(channel: "discord", chat: "0", messageID: "m8", conversation: "c0", payload: "{}")
            ]).isEmpty)
        // Still one reply per message.
        let reply = OutboxDraft(channel: "discord", chat: "0", replyTo: nil, text: "eight")
        #expect(try await store.completeTurn(inboxID: 8, session: nil, reply: reply)?.id == 8)
        await #expect(throws: StateError.self) {
            try await store.completeTurn(inboxID: 8, session: nil, reply: reply)
        }
        await store.close()

        let raw = RawSQLite(state + "/" + StateStore.fileName)
        let tables = try raw.rows("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL")
        for row in tables {
            #expect(!(row[1] ?? "").contains("AUTOINCREMENT"), "\(row[0] ?? "")")
            #expect(!(row[0] ?? "").hasSuffix("_v1"), "the old tables are gone")
        }
        #expect(!tables.contains { $0[0] == "inbox_open" })
        for table in ["cursors", "sessions", "usage_daily", "usage_minute", "limit_notices"] {
            #expect(tables.contains { $0[0] == table && ($0[1] ?? "").hasSuffix("WITHOUT ROWID") }, "\(table)")
        }
        #expect(try raw.value("SELECT count(*) FROM sqlite_sequence") == "0")
        #expect(try raw.value("PRAGMA integrity_check") == "ok")
    }

    /// SQLite's crash image of an unfinished migration: the database file and the WAL holding the migration's
    /// pages, without a commit frame, as a kill -9 or power cut leaves them. The next open finds version 1 intact
    /// and migrates from there.
    @Test func aCrashInTheMiddleOfTheMigrationLeavesVersion1Intact() async throws {
        let dir = TempDir()
        let state = dir.mkdir("state")
        let rows = 600
        let size = 2_000
        try StateV1Fixture.make(state, sessionMessages: rows, messageSize: size)
        let crashed = dir.mkdir("crashed")
        do {
            let db = RawSQLite(state + "/" + StateStore.fileName)
            try db.exec("PRAGMA cache_size = 16")  // the copy of ~1.2 MB spills to the WAL before the commit
            try db.exec("BEGIN IMMEDIATE")
            for step in CoreSchema.migrations where step.version == 2 { try db.exec(step.sql) }
            try db.exec("UPDATE schema_version SET version = 2 WHERE component = 'core'")
            for name in [StateStore.fileName, StateStore.fileName + "-wal"] {
                #expect(copyFile(state + "/" + name, crashed + "/" + name))
            }
            try db.exec("ROLLBACK")
        }
        var st = stat()
        #expect(stat(crashed + "/" + StateStore.fileName + "-wal", &st) == 0)
        #expect(st.st_size > 1_000_000, "the image holds the unfinished migration's pages: \(st.st_size) bytes")

        do {
            let raw = RawSQLite(crashed + "/" + StateStore.fileName)
            #expect(try raw.value("SELECT version FROM schema_version WHERE component = 'core'") == "1")
            #expect(
                try raw.value("SELECT sql FROM sqlite_schema WHERE name = 'inbox'")?.contains("AUTOINCREMENT") == true)
            #expect(try raw.value("SELECT count(*) FROM sqlite_schema WHERE name = 'inbox_open'") == "1")
            #expect(try raw.value("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_v1'") == "0")
            #expect(try raw.value("SELECT count(*) FROM session_messages") == "\(rows - 2)")
            #expect(try raw.value("SELECT group_concat(id) FROM (SELECT id FROM inbox ORDER BY id)") == "4,5,7,8,9")
            #expect(try raw.value("PRAGMA integrity_check") == "ok")
        }

        let store = try await StateStore.open(directory: crashed, migrations: OwnerControlsSchema.migrations)
        #expect(try await store.schemaVersion("core") == 2)
        #expect(try await store.openTurns().map(\.entry.id) == StateV1Fixture.openIDs)
        let expected = StateV1Fixture.session("c1", sessionMessages: rows, messageSize: size)
        #expect(try await store.sessionMessages("c1") == expected.map(\.1))
        await store.close()
    }

    /// Without `AUTOINCREMENT`, SQLite gives the highest id + 1: pruning keeps the newest message so no id is
    /// ever given twice.
    @Test func pruningEveryFinishedMessageNeverGivesAnIdAgain() async throws {
        let dir = TempDir()
        let store = try await StateStore.open(directory: dir.at("state"))
        var last: Int64 = 0
        for round in 0..<3 {
            let drafts = (0..<3).map {
                InboxDraft(
                    channel: "telegram", chat: "1", messageID: "\(round)-\($0)", conversation: "c", payload: "{}")
            }
            let added = try await store.accept(drafts)
            #expect(added.allSatisfy { $0.id > last }, "round \(round): \(added.map(\.id)) after \(last)")
            last = added.map(\.id).max() ?? last
            for entry in added {
                let reply = try await store.completeTurn(
                    inboxID: entry.id, session: nil,
                    reply: OutboxDraft(channel: "telegram", chat: "1", replyTo: nil, text: "r"))
                try await store.finishDelivery(outboxID: reply!.id)
            }
            let removed = try await store.pruneFinished(olderThan: -3600)  // everything finished is old enough
            #expect(removed == (round == 0 ? 2 : 3), "the newest message stays")
            #expect(try await store.openCount() == 0)
        }
        await store.close()
    }
}
