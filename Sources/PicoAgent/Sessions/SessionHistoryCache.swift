import Glibc
import Synchronization

/// What identifies one version of a session file: `stat` fields that change on every append, rewrite (rename
/// gives a new inode) or external edit.
struct SessionFileStamp: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var mtimeSeconds: Int
    var mtimeNanoseconds: Int
    var ctimeSeconds: Int
    var ctimeNanoseconds: Int

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        mtimeSeconds = st.st_mtim.tv_sec
        mtimeNanoseconds = st.st_mtim.tv_nsec
        ctimeSeconds = st.st_ctim.tv_sec
        ctimeNanoseconds = st.st_ctim.tv_nsec
    }

    /// The stamp of the file at `path` (`nil`: missing or unreadable).
    static func of(path: String) -> SessionFileStamp? {
        var st = stat()
        return stat(path, &st) == 0 ? SessionFileStamp(st) : nil
    }

    /// The stamp of an open file.
    static func of(fd: Int32) -> SessionFileStamp? {
        var st = stat()
        return fstat(fd, &st) == 0 ? SessionFileStamp(st) : nil
    }
}

/// The recent messages of one session file as last read or written by this process.
struct SessionTail: Sendable {
    /// The last `maxHistoryMessages + 1` decodable messages of the file (all of them when fewer). One more than
    /// the limit, so that ``HistoryTrimmer/trim(_:limit:)`` of the tail equals the trim of the whole file.
    var messages: [ChatMessage]
    /// Decodable messages in the whole file (drives compaction).
    var count: Int
    /// The file version the tail describes.
    var stamp: SessionFileStamp
}

/// A bounded, least-recently-used cache of ``SessionTail``s by session key, shared by the copies of one
/// ``SessionStore``.
///
/// Entries are only trusted while the file's ``SessionFileStamp`` still matches, so edits by other processes,
/// other stores or the agent's own file tools are picked up on the next read. All state sits behind one mutex
/// that is never held across I/O, so turns of different sessions can use the cache concurrently.
final class SessionHistoryCache: Sendable {
    /// Sessions kept at most.
    let capacity: Int
    /// Approximate bytes of message text kept at most (tool results can be large).
    let byteBudget: Int

    private struct Entry {
        var tail: SessionTail
        var bytes: Int
        var lastUse: UInt64
    }

    private struct State {
        var entries: [SessionKey: Entry] = [:]
        var clock: UInt64 = 0
        var bytes = 0
    }

    private let state = Mutex(State())

    init(capacity: Int = 256, byteBudget: Int = 8 << 20) {
        self.capacity = max(1, capacity)
        self.byteBudget = max(0, byteBudget)
    }

    /// The cached tail of `key` when it still describes the file version `stamp`; a stale entry is dropped.
    func tail(_ key: SessionKey, matching stamp: SessionFileStamp) -> SessionTail? {
        state.withLock { s in
            guard var e = s.entries[key] else { return nil }
            guard e.tail.stamp == stamp else {
                s.bytes -= e.bytes
                s.entries[key] = nil
                return nil
            }
            s.clock += 1
            e.lastUse = s.clock
            s.entries[key] = e
            return e.tail
        }
    }

    /// The cached tail of `key` regardless of its stamp (for appends, which check the stamp themselves).
    func anyTail(_ key: SessionKey) -> SessionTail? {
        state.withLock { $0.entries[key]?.tail }
    }

    /// Stores (or replaces) the tail of `key`, evicting the least recently used sessions beyond the bounds.
    func store(_ key: SessionKey, _ tail: SessionTail) {
        let bytes = tail.messages.reduce(64) { $0 + Self.approximateBytes($1) }
        state.withLock { s in
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.bytes }
            guard bytes <= byteBudget else { return }
            s.clock += 1
            s.entries[key] = Entry(tail: tail, bytes: bytes, lastUse: s.clock)
            s.bytes += bytes
            while s.entries.count > capacity || s.bytes > byteBudget {
                // A linear scan over at most `capacity` entries, only when over a bound.
                guard let victim = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key,
                    let removed = s.entries.removeValue(forKey: victim)
                else { break }
                s.bytes -= removed.bytes
            }
        }
    }

    /// Forgets `key`.
    func remove(_ key: SessionKey) {
        state.withLock { s in
            if let old = s.entries.removeValue(forKey: key) { s.bytes -= old.bytes }
        }
    }

    /// Cached sessions (tests).
    var count: Int { state.withLock { $0.entries.count } }

    /// Whether `key` is cached (tests).
    func contains(_ key: SessionKey) -> Bool { state.withLock { $0.entries[key] != nil } }

    private static func approximateBytes(_ m: ChatMessage) -> Int {
        var n = 32 + m.content.utf8.count + (m.toolCallId?.utf8.count ?? 0) + (m.name?.utf8.count ?? 0)
        for call in m.toolCalls ?? [] {
            n += 32 + call.id.utf8.count + call.name.utf8.count + call.arguments.utf8.count
        }
        return n
    }
}
