extension StateStore {
    /// Records `drafts` (ignoring any already recorded: same channel, chat and message id) and moves `cursor`,
    /// in one transaction. Returns the newly recorded entries, in order.
    ///
    /// With `durable: false` the commit is crash-safe but not yet on disk: call ``syncToDisk()`` before
    /// confirming the cursor to the platform (the gateway starts the turns meanwhile). With `countingStart` each new
    /// entry's first turn start is counted here (`attempts = 1`, as ``markStarted(inboxID:)`` would), for a caller
    /// that starts the turns itself and skips that call for them. A draft with ``InboxDraft/countsSender`` is
    /// counted for its sender in the same commit (``countMessage(channel:sender:now:)``), its entry carrying
    /// ``InboxEntry/messagesInMinute``; a duplicate is not counted.
    public func accept(
        _ drafts: [InboxDraft], cursor: CursorValue? = nil, durable: Bool = true,
        countingStart: Bool = false
    ) async throws(StateError) -> [InboxEntry] {
        guard !drafts.isEmpty || cursor != nil else { return [] }
        let body: @Sendable (StateDatabase) throws(StateError) -> [InboxEntry] = { db throws(StateError) in
            let now = unixNow()
            let attempts = countingStart ? 1 : 0
            var added: [InboxEntry] = []
            for d in drafts {
                try db.execute(
                    """
                    INSERT INTO inbox(channel, chat, message_id, conversation, payload, received_at, attempts)
                    VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(channel, chat, message_id) DO NOTHING
                    """,
                    [
                        .text(d.channel), .text(d.chat), .text(d.messageID), .text(d.conversation), .text(d.payload),
                        .integer(now),
                        .integer(Int64(attempts)),
                    ])
                if db.changes > 0 {
                    var entry = InboxEntry(
                        id: db.lastInsertRowID, channel: d.channel, chat: d.chat, messageID: d.messageID,
                        conversation: d.conversation, payload: d.payload, state: .pending, receivedAt: now,
                        attempts: attempts)
                    if let sender = d.countsSender {
                        entry.messagesInMinute = try Self.countMessage(db, channel: d.channel, sender: sender, at: now)
                    }
                    added.append(entry)
                }
            }
            if let cursor { try Self.putCursor(db, cursor.name, cursor.value, now) }
            return added
        }
        let tails = self.tails
        return try await commit(durable: durable) { db throws(StateError) in
            try tails.noticeOtherWriters(db)
            return try body(db)
        }
    }

    /// Every unfinished message in inbox order, with its stored reply when the turn already completed.
    public func openTurns() async throws(StateError) -> [OpenTurn] {
        try await read { db throws(StateError) in
            try db.query(
                """
                SELECT i.id, i.channel, i.chat, i.message_id, i.conversation, i.payload, i.state, i.received_at,
                       o.id, o.channel, o.chat, o.reply_to, o.text, i.attempts
                FROM inbox i LEFT JOIN outbox o ON o.inbox_id = i.id AND o.state = 'pending'
                WHERE i.state IN ('pending', 'answered') ORDER BY i.id
                """
            ).map { r in
                let entry = InboxEntry(
                    id: r.int(0), channel: r.text(1) ?? "", chat: r.text(2) ?? "", messageID: r.text(3) ?? "",
                    conversation: r.text(4) ?? "", payload: r.text(5) ?? "",
                    state: InboxState(rawValue: r.text(6) ?? "") ?? .pending, receivedAt: r.int(7),
                    attempts: Int(r.int(13)))
                let reply = r[8].integer.map {
                    OutboxEntry(
                        id: $0, inboxID: entry.id, channel: r.text(9) ?? "", chat: r.text(10) ?? "",
                        replyTo: r.text(11), text: r.text(12) ?? "")
                }
                return OpenTurn(entry: entry, reply: reply)
            }
        }
    }

    /// Records a completed turn in one durable transaction: the session messages, the reply (when there is one),
    /// the model calls not yet added to the sender's usage (`charge`) and the message's new state (`answered`, or
    /// `done` without a reply). Returns the stored reply.
    public func completeTurn(
        inboxID: Int64, session: SessionWrite?, reply: OutboxDraft?, charge: ModelCharge? = nil
    ) async throws(StateError) -> OutboxEntry? {
        let tails = self.tails
        return try await onThread { db throws(StateError) in
            let stored = try db.transaction(fullSync: true) { db throws(StateError) in
                try tails.noticeOtherWriters(db)  // before the session's cached tail is extended below
                let now = unixNow()
                if let session { try Self.appendMessages(db, session, now) }
                if let charge { try Self.add(db, charge, at: now) }
                var stored: OutboxEntry?
                if let reply {
                    try db.execute(
                        "INSERT INTO outbox(inbox_id, channel, chat, reply_to, text, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                        [
                            .integer(inboxID), .text(reply.channel), .text(reply.chat), .optional(reply.replyTo),
                            .text(reply.text), .integer(now),
                        ])
                    stored = OutboxEntry(
                        id: db.lastInsertRowID, inboxID: inboxID, channel: reply.channel, chat: reply.chat,
                        replyTo: reply.replyTo, text: reply.text)
                }
                try db.execute(
                    "UPDATE inbox SET state = ?, finished_at = ? WHERE id = ?",
                    [
                        .text(reply == nil ? InboxState.done.rawValue : InboxState.answered.rawValue),
                        reply == nil ? .integer(now) : .null, .integer(inboxID),
                    ])
                return stored
            }
            if let session { tails.appended(session.key, rows: session.messages) }  // committed
            return stored
        }
    }

    /// Marks a reply delivered (`failure == nil`) or failed for good, and its message done. The mark does not
    /// wait for the disk (it gets there with the next durable commit): a power failure right after it can only
    /// make the reply be sent once more — the same outcome as a lost platform acknowledgement.
    public func finishDelivery(outboxID: Int64, failure: String? = nil) async throws(StateError) {
        try await commit(durable: false) { db throws(StateError) in
            let now = unixNow()
            try db.execute(
                "UPDATE outbox SET state = ?, finished_at = ?, failure = ? WHERE id = ?",
                [.text(failure == nil ? "delivered" : "failed"), .integer(now), .optional(failure), .integer(outboxID)])
            try db.execute(
                "UPDATE inbox SET state = 'done', finished_at = ? WHERE id = (SELECT inbox_id FROM outbox WHERE id = ?)",
                [.integer(now), .integer(outboxID)])
        }
    }

    /// Counts a start of the message's turn (crash-safe, not waiting for the disk), so a message whose turn
    /// keeps crashing the gateway can be recognised after restarts.
    public func markStarted(inboxID: Int64) async throws(StateError) {
        try await commit(durable: false) { db throws(StateError) in
            try db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE id = ?", [.integer(inboxID)])
        }
    }

    /// Messages not finished yet (pending or answered).
    public func openCount() async throws(StateError) -> Int {
        try await read { db throws(StateError) in
            Int(try db.queryOne("SELECT count(*) FROM inbox WHERE state IN ('pending', 'answered')")?.int(0) ?? 0)
        }
    }

    /// Forgets finished messages and replies older than `seconds` (they are kept that long to recognise
    /// platform re-deliveries). Returns how many messages were removed.
    @discardableResult
    public func pruneFinished(olderThan seconds: Int64) async throws(StateError) -> Int {
        try await commit(durable: true) { db throws(StateError) in
            let cutoff = unixNow() - seconds
            try db.execute("DELETE FROM outbox WHERE state <> 'pending' AND finished_at < ?", [.integer(cutoff)])
            try db.execute("DELETE FROM inbox WHERE state = 'done' AND finished_at < ?", [.integer(cutoff)])
            return db.changes
        }
    }
}
