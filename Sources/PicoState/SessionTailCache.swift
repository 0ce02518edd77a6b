import Synchronization

/// The newest stored messages of recently used sessions, as the store last read or committed them, so a turn's
/// history needs no visit to the store's thread (issue 18).
///
/// Filled by ``StateStore/sessionTail(_:limit:)`` reads and extended by committed appends, both on the store's
/// thread in its FIFO order, so an entry always equals the table at the point of the store's queue where it was
/// last touched. Cleared whole (``invalidate()``, which moves ``epoch``) by every write whose effect on the
/// sessions the store cannot follow — a ``StateStore/write(_:)`` closure, a trim, a clear — when it is queued and
/// again after it ran, and when another connection (a CLI command next to the gateway) has committed anything
/// (`PRAGMA data_version`, checked in each inbox commit, i.e. before any new message's turn reads its history).
final class SessionTailCache: Sendable {
    struct Tail {
        /// Oldest first; the newest `capacity` rows of the session (all of them when it holds fewer).
        var rows: [String]
        /// Rows the session holds in all.
        var count: Int
        /// How many rows the entry keeps (the limit it was read with).
        var capacity: Int
    }

    private struct State {
        var epoch = 0
        var tails: [String: Tail] = [:]
    }

    /// Sessions kept at most (a personal gateway talks in a few chats at a time).
    static let maxSessions = 32

    private let state = Mutex(State())

    /// Moves whenever the cache is cleared: a cache built on the store's session state (e.g. the summaries) keeps
    /// an entry only while this is unchanged.
    var epoch: Int { state.withLock { $0.epoch } }

    /// The newest `limit` rows and the session's row count, if the entry holds them.
    func lookup(_ key: String, limit: Int) -> (messages: [String], count: Int)? {
        state.withLock { s -> (messages: [String], count: Int)? in
            guard let tail = s.tails[key], limit <= tail.capacity else { return nil }
            let wanted = min(limit, tail.count)
            guard tail.rows.count >= wanted else { return nil }
            return (Array(tail.rows.suffix(wanted)), tail.count)
        }
    }

    /// Records what a read of the session returned (on the store's thread, right after the read).
    func filled(_ key: String, rows: [String], count: Int, limit: Int) {
        state.withLock { s in
            // An entry read with a longer limit holds this read's rows too (both follow the store's queue).
            if let old = s.tails[key], old.capacity > limit { return }
            if s.tails[key] == nil && s.tails.count >= Self.maxSessions { s.tails.removeAll() }
            s.tails[key] = Tail(rows: rows, count: count, capacity: limit)
        }
    }

    /// Adds committed rows to the session's entry, if there is one (on the store's thread, after the commit).
    func appended(_ key: String, rows: [String]) {
        state.withLock { s in
            guard var tail = s.tails[key] else { return }
            s.tails[key] = nil  // unique, so the appends below do not copy
            tail.rows.append(contentsOf: rows)
            tail.count += rows.count
            if tail.rows.count > tail.capacity { tail.rows.removeFirst(tail.rows.count - tail.capacity) }
            s.tails[key] = tail
        }
    }

    /// Clears the cache when another connection (a CLI command next to the gateway) committed anything since the
    /// last check (`PRAGMA data_version`). Inside a store job.
    func noticeOtherWriters(_ db: StateDatabase) throws(StateError) {
        let version = try db.queryOne("PRAGMA data_version")?.int(0)
        if version != db.dataVersion {
            db.dataVersion = version
            invalidate()
        }
    }

    /// Forgets every entry.
    func invalidate() {
        state.withLock { s in
            s.epoch &+= 1
            s.tails = [:]
        }
    }
}
