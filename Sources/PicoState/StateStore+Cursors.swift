extension StateStore {
    /// The cursor's value (`nil` when never set).
    public func cursor(_ name: String) async throws(StateError) -> String? {
        try await read { db throws(StateError) in
            try db.queryOne("SELECT value FROM cursors WHERE name = ?", [.text(name)])?.text(0)
        }
    }

    /// Sets a cursor (durably).
    public func setCursor(_ name: String, _ value: String) async throws(StateError) {
        try await commit(durable: true) { db throws(StateError) in try Self.putCursor(db, name, value, unixNow()) }
    }

    /// Cursors whose name starts with `prefix`, updated at or after `since` (seconds since the epoch), newest first.
    public func cursors(prefix: String, updatedSince since: Int64 = 0) async throws(StateError) -> [CursorValue] {
        try await read { db throws(StateError) in
            try db.query(
                "SELECT name, value, updated_at FROM cursors WHERE substr(name, 1, ?) = ? AND updated_at >= ? ORDER BY updated_at DESC",
                [.int(prefix.utf8.count), .text(prefix), .integer(since)]
            )
            .map { CursorValue(name: $0.text(0) ?? "", value: $0.text(1) ?? "", updatedAt: $0.int(2)) }
        }
    }

    static func putCursor(_ db: StateDatabase, _ name: String, _ value: String, _ now: Int64) throws(StateError) {
        try db.execute(
            "INSERT INTO cursors(name, value, updated_at) VALUES(?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [.text(name), .text(value), .integer(now)])
    }
}
