extension StateStore {
    /// The last `limit` messages of a session, oldest first, and how many it holds in all. Answered from memory
    /// when the store read or wrote that tail last (``cachedSessionTail(_:limit:)``), else read on the store's thread.
    public func sessionTail(_ key: String, limit: Int) async throws(StateError) -> (messages: [String], count: Int) {
        if let cached = tails.lookup(key, limit: limit) { return cached }
        return try await sessionTail(key, limit: limit) { _ throws(StateError) in () }.tail
    }

    /// ``sessionTail(_:limit:)`` read on the store's thread, with `extra` read in the same visit (e.g. a summary kept
    /// next to the session); the tail is remembered for ``cachedSessionTail(_:limit:)``.
    public func sessionTail<Extra: Sendable>(
        _ key: String, limit: Int, with extra: @escaping @Sendable (StateDatabase) throws(StateError) -> Extra
    ) async throws(StateError) -> (tail: (messages: [String], count: Int), extra: Extra) {
        let tails = self.tails
        return try await read { db throws(StateError) in
            let tail = try Self.sessionTail(db, key, limit: limit)
            let more = try extra(db)
            tails.filled(key, rows: tail.messages, count: tail.count, limit: max(0, limit))
            return (tail, more)
        }
    }

    /// The session's newest `limit` messages and its message count from memory, without a visit to the store's
    /// thread: as the store's last read or committed append of that session left them, while no write the store
    /// cannot follow (a ``write(_:)`` closure, a trim, a clear, another process's commit) happened since.
    public func cachedSessionTail(_ key: String, limit: Int) -> (messages: [String], count: Int)? {
        tails.lookup(key, limit: limit)
    }

    /// Moves whenever ``cachedSessionTail(_:limit:)``'s memory is cleared: a cache of other per-session state
    /// (e.g. summaries) kept by a caller is valid only while this is the value it was read under.
    public var sessionCacheEpoch: Int { tails.epoch }

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
        let tails = self.tails
        try await onThread { db throws(StateError) in
            try db.transaction { db throws(StateError) in
                try tails.noticeOtherWriters(db)  // before the session's cached tail is extended below
                try Self.appendMessages(db, SessionWrite(key: key, agent: agent, messages: messages), unixNow())
            }
            tails.appended(key, rows: messages)  // committed
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
