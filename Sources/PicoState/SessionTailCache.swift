import Synchronization

/// The newest stored messages of recently used sessions, as the store last read or committed them, so a turn's
/// history needs no visit to the store's thread (issue 18).
///
/// Filled by ``StateStore/sessionTail(_:limit:)`` reads and extended by committed appends, both on the store's
/// thread in its FIFO order, so an entry always equals the table at the point of the store's queue where it was
/// last touched. Cleared whole (``invalidate()``, which moves ``epoch``) by every write whose effect on the
/// sessions the store cannot follow — a ``StateStore/write(_:)`` closure, a trim, a clear — when it is queued and
/// again after it ran, when another connection (a CLI command next to the gateway) has committed anything
/// (`PRAGMA data_version`, checked in each inbox commit — before any new message's turn reads its history — and
/// in each reply commit, before its rows are added), and at the idle trim. Bounded by ``maxSessions`` and
/// ``maxBytes``, least recently used first.
final class SessionTailCache: Sendable {
    struct Tail {
        /// Oldest first; the newest `capacity` rows of the session (all of them when it holds fewer).
        var rows: [String]
        /// Rows the session holds in all.
        var count: Int
        /// How many rows the entry keeps (the limit it was read with).
        var capacity: Int
        /// UTF-8 bytes of `rows`.
        var bytes: Int
        /// When it was last used (the cache's use counter).
        var used: Int
    }

    private struct State {
        var epoch = 0
        var tails: [String: Tail] = [:]
        var bytes = 0
        var uses = 0

        /// Drops the least recently used entries until both bounds hold again.
        mutating func evict() {
            while tails.count > SessionTailCache.maxSessions || bytes > SessionTailCache.maxBytes,
                let oldest = tails.min(by: { $0.value.used < $1.value.used })
            {
                bytes -= oldest.value.bytes
                tails[oldest.key] = nil
            }
        }
    }

    /// Sessions kept at most (the benchmark's 40 chats fit; a personal gateway talks in a few at a time).
    static let maxSessions = 64
    /// Message text kept at most, all sessions together; the least recently used go first.
    static let maxBytes = 512 * 1024

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
            s.uses += 1
            s.tails[key]?.used = s.uses
            return (wanted == tail.rows.count ? tail.rows : Array(tail.rows.suffix(wanted)), tail.count)
        }
    }

    /// Records what a read of the session returned (on the store's thread, right after the read).
    func filled(_ key: String, rows: [String], count: Int, limit: Int) {
        state.withLock { s in
            // An entry read with a longer limit holds this read's rows too (both follow the store's queue).
            if let old = s.tails[key], old.capacity > limit { return }
            let bytes = rows.reduce(0) { $0 + $1.utf8.count }
            s.uses += 1
            s.bytes += bytes - (s.tails[key]?.bytes ?? 0)
            s.tails[key] = Tail(rows: rows, count: count, capacity: limit, bytes: bytes, used: s.uses)
            s.evict()
        }
    }

    /// Adds committed rows to the session's entry, if there is one (on the store's thread, after the commit).
    func appended(_ key: String, rows: [String]) {
        state.withLock { s in
            guard var tail = s.tails.removeValue(forKey: key) else { return }  // unique: appends do not copy
            s.bytes -= tail.bytes
            tail.rows.append(contentsOf: rows)
            tail.count += rows.count
            tail.bytes += rows.reduce(0) { $0 + $1.utf8.count }
            if tail.rows.count > tail.capacity {
                let dropped = tail.rows.count - tail.capacity
                tail.bytes -= tail.rows.prefix(dropped).reduce(0) { $0 + $1.utf8.count }
                tail.rows.removeFirst(dropped)
            }
            s.uses += 1
            tail.used = s.uses
            s.bytes += tail.bytes
            s.tails[key] = tail
            s.evict()
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
            s.bytes = 0
        }
    }
}
