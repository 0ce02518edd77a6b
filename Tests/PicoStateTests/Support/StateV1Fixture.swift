import PicoFakes
@testable import PicoState

/// A state directory as the store's first schema (every component at version 1) left it, full of rows: gaps in
/// the ids from pruning, finished, answered and pending messages, replies delivered, failed and waiting, two
/// sessions whose messages interleave, a cursor, usage and pairing rows.
enum StateV1Fixture {
    /// Ids of the messages still open (in inbox order), and of the one with a stored reply.
    static let openIDs: [Int64] = [7, 8, 9]
    static let answeredID: Int64 = 7
    /// The highest inbox id given so far (rows above the surviving ones were never pruned).
    static let highestInboxID: Int64 = 9

    /// Builds `<dir>/state.db` (WAL); `sessionMessages` rows alternate between the two sessions, each
    /// `messageSize` bytes long.
    static func make(_ dir: String, sessionMessages: Int = 12, messageSize: Int = 20) throws {
        let db = RawSQLite(dir + "/" + StateStore.fileName)
        try db.exec("PRAGMA journal_mode = WAL")
        try db.exec("CREATE TABLE schema_version(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
        for step in CoreSchema.migrations + OwnerControlsSchema.migrations where step.version == 1 {
            try db.exec(step.sql)
            try db.exec("INSERT INTO schema_version VALUES('\(step.component)', 1)")
        }
        try db.exec("BEGIN")
        for id in 1...9 {
            let state = id == 7 ? "answered" : id >= 8 ? "pending" : "done"
            try db.exec(
                """
                INSERT INTO inbox(channel, chat, message_id, conversation, payload, state, attempts, received_at, finished_at)
                VALUES('\(id == 8 ? "discord" : "telegram")', '\(id % 2)', 'm\(id)', 'c\(id % 2)', '{"n":\(id)}',
                       '\(state)', \(id == 8 ? 2 : 1), \(1000 + id), \(state == "done" ? "\(1010 + id)" : "NULL"))
                """)
        }
        try db.exec("DELETE FROM inbox WHERE id IN (1, 2, 3, 6)")  // pruned
        try db.exec(
            """
            INSERT INTO outbox(inbox_id, channel, chat, reply_to, text, state, created_at, finished_at, failure) VALUES
              (2, 'telegram', '0', 'm2', 'pruned', 'delivered', 1012, 1012, NULL),
              (4, 'telegram', '0', 'm4', 'four', 'delivered', 1014, 1014, NULL),
              (5, 'telegram', '1', NULL, 'five', 'failed', 1015, 1015, 'blocked by the user'),
              (7, 'telegram', '1', 'm7', 'reply seven', 'pending', 1017, NULL, NULL);
            DELETE FROM outbox WHERE inbox_id = 2;
            INSERT INTO cursors VALUES('telegram.offset', '110', 1009);
            INSERT INTO sessions VALUES('c0', 'main', 1000, 1008), ('c1', 'helper', 1001, 1009);
            INSERT INTO usage_daily VALUES('2026-12-01', 'telegram', '1', 3, 2, 100, 50, 7);
            INSERT INTO usage_minute VALUES('telegram', '1', 29450000, 2);
            INSERT INTO limit_notices VALUES('2026-12-01', 'telegram', '1', 'tokens');
            INSERT INTO paired VALUES('telegram', '1', 'ann', '1', 900, 'cli:root');
            """)
        let filler = String(repeating: "x", count: max(0, messageSize - 8))
        for i in 1...sessionMessages {
            try db.exec("INSERT INTO session_messages(session, message) VALUES('c\(i % 2)', 'm\(i)-\(filler)')")
        }
        try db.exec("DELETE FROM session_messages WHERE id IN (1, 2)")  // a trim
        try db.exec("COMMIT")
    }

    /// The session's messages as the fixture wrote them (after the trim), oldest first, with their ids.
    static func session(_ key: String, sessionMessages: Int = 12, messageSize: Int = 20) -> [(Int64, String)] {
        let filler = String(repeating: "x", count: max(0, messageSize - 8))
        return (3...sessionMessages).filter { "c\($0 % 2)" == key }.map { (Int64($0), "m\($0)-\(filler)") }
    }
}
