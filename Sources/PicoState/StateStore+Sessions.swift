extension StateStore {
    /// The last `limit` messages of a session, oldest first, and how many it holds in all.
    public func sessionTail(_ key: String, limit: Int) async throws(StateError) -> (messages: [String], count: Int) {
        try await read { db throws(StateError) in try Self.sessionTail(db, key, limit: limit) }
    }

    /// ``sessionTail(_:limit:)`` inside a ``read(_:)`` or ``write(_:)`` closure (with other reads in one visit).
    public static func sessionTail(
        _ db: StateDatabase, _ key: String, limit: Int
    ) throws(StateError) -> (messages: [String], count: Int) {
        let rows = try db.query(
            "SELECT message FROM session_messages WHERE session = ? ORDER BY id DESC LIMIT ?",
            [.text(key), .int(max(0, limit))])
        let count =
            try db.queryOne("SELECT count(*) FROM session_messages WHERE session = ?", [.text(key)])?.int(0) ?? 0
        return (rows.reversed().compactMap { $0.text(0) }, Int(count))
    }

    /// Every message of a session, oldest first.
    public func sessionMessages(_ key: String) async throws(StateError) -> [String] {
        try await read { db throws(StateError) in
            try db.query("SELECT message FROM session_messages WHERE session = ? ORDER BY id", [.text(key)]).compactMap
            { $0.text(0) }
        }
    }

    /// Appends messages to a session (creating it), durably.
    public func appendSession(_ key: String, agent: String, messages: [String]) async throws(StateError) {
        guard !messages.isEmpty else { return }
        try await write { db throws(StateError) in
            try Self.appendMessages(db, SessionWrite(key: key, agent: agent, messages: messages), unixNow())
        }
    }

    /// Keeps only the newest `keep` messages of a session.
    public func trimSession(_ key: String, keep: Int) async throws(StateError) {
        try await write { db throws(StateError) in
            try db.execute(
                """
                DELETE FROM session_messages WHERE session = ? AND id < coalesce(
                  (SELECT id FROM session_messages WHERE session = ? ORDER BY id DESC LIMIT 1 OFFSET ?), 0)
                """, [.text(key), .text(key), .int(max(0, keep) - 1)])
        }
    }

    /// Every stored session, most recently updated first.
    public func sessions() async throws(StateError) -> [SessionSummary] {
        try await read { db throws(StateError) in
            try db.query(
                """
                SELECT s.key, s.agent, (SELECT count(*) FROM session_messages m WHERE m.session = s.key), s.created_at, s.updated_at
                FROM sessions s ORDER BY s.updated_at DESC, s.key
                """
            ).map {
                SessionSummary(
                    key: $0.text(0) ?? "", agent: $0.text(1) ?? "", messageCount: Int($0.int(2)),
                    createdAt: $0.int(3), updatedAt: $0.int(4))
            }
        }
    }

    /// Deletes a session and its messages; `false` when there was none.
    @discardableResult
    public func clearSession(_ key: String) async throws(StateError) -> Bool {
        try await write { db throws(StateError) in
            try db.execute("DELETE FROM session_messages WHERE session = ?", [.text(key)])
            let hadMessages = db.changes > 0
            try db.execute("DELETE FROM sessions WHERE key = ?", [.text(key)])
            return hadMessages || db.changes > 0
        }
    }

    static func appendMessages(_ db: StateDatabase, _ write: SessionWrite, _ now: Int64) throws(StateError) {
        guard !write.messages.isEmpty else { return }
        try db.execute(
            "INSERT INTO sessions(key, agent, created_at, updated_at) VALUES(?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at",
            [.text(write.key), .text(write.agent), .integer(now), .integer(now)])
        for m in write.messages {
            try db.execute("INSERT INTO session_messages(session, message) VALUES(?, ?)", [.text(write.key), .text(m)])
        }
    }
}
