import FoundationEssentials
import Glibc
import PicoConfig
import PicoSystem

/// Why a session file could not be read or written.
public struct SessionStoreError: Error, Sendable, CustomStringConvertible {
    /// The file or directory concerned.
    public let path: String
    /// What failed (`open`, `write`, `fsync`, ...).
    public let operation: String
    /// The system error number.
    public let errno: Int32
    /// Human-readable text (safe to log).
    public var description: String {
        "session store: cannot \(operation) \(path): \(errnoText(errno))"
    }
}

/// Session history as JSON Lines: `<workspace>/sessions/<key stem>.jsonl`, one ``ChatMessage`` per line.
///
/// The directory is 0700 and files 0600. Turns are appended with `O_APPEND` and fsynced; loading skips lines
/// that do not decode (a torn last line after a crash), and the next append starts on a fresh line, so a crash
/// never makes a session unreadable. Files that grow past ``compactionThreshold`` messages are rewritten
/// atomically (temp file + fsync + rename) with the trimmed history. Every line is redacted before writing.
/// Callers serialise access per key.
///
/// **Threading.** The synchronous methods (``history(_:)``, ``append(_:messages:)``, ``rewrite(_:messages:)``,
/// ``loadAll(_:)``) block on the disk (`read`, `write`, `fsync`, `rename`) and must not be called from Swift's
/// cooperative thread pool in production code. Async code uses ``loadHistory(_:)`` and
/// ``appendTurn(_:messages:)``, which run the same work on a short-lived dedicated thread (PicoSystem's `DedicatedThread`) and
/// suspend the calling task meanwhile; ``AgentRuntime`` only uses those.
///
/// **Cache.** The recent messages of up to ``historyCacheCapacity`` sessions stay in memory (least recently
/// used evicted, bounded in bytes too), updated by every append and rewrite of this store (and its copies).
/// Before a cached entry is used, the file's `stat` (device, inode, size, mtime, ctime) must still match what
/// the store last read or wrote; otherwise the file is read again. So edits made by anything else — another
/// process, another store, the agent's own file tools under `sessions/` — are picked up on the next turn.
public struct SessionStore: Sendable {
    /// Sessions whose recent history is kept in memory.
    public static let historyCacheCapacity = 64
    /// Text budget of that cache (a personal gateway has few active chats; memory is a product feature).
    public static let historyCacheBytes = 1 << 20

    /// The `sessions` directory.
    public let directory: String
    /// Messages kept as context (`agents.defaults.max_history_messages`).
    public let maxHistoryMessages: Int
    let redactor: SecretRedactor
    let cache: SessionHistoryCache

    public init(directory: String, maxHistoryMessages: Int = 40, redactor: SecretRedactor) {
        self.directory = directory
        self.maxHistoryMessages = max(1, maxHistoryMessages)
        self.redactor = redactor
        self.cache = SessionHistoryCache(
            capacity: SessionStore.historyCacheCapacity,
            byteBudget: SessionStore.historyCacheBytes)
    }

    /// The store of an agent workspace: `<workspace>/sessions`.
    public init(workspace: String, maxHistoryMessages: Int = 40, redactor: SecretRedactor) {
        self.init(
            directory: workspace.hasSuffix("/") ? workspace + "sessions" : workspace + "/sessions",
            maxHistoryMessages: maxHistoryMessages, redactor: redactor)
    }

    /// Files holding more messages than this are compacted on load.
    public var compactionThreshold: Int { max(4 * maxHistoryMessages, 200) }

    /// The file of `key`.
    public func path(for key: SessionKey) -> String { directory + "/" + key.fileStem + ".jsonl" }

    // MARK: - Async (off the cooperative pool)

    /// ``history(_:)`` run on a short-lived dedicated thread: never blocks a cooperative-pool thread on the
    /// disk. Use this from async code.
    public func loadHistory(_ key: SessionKey) async throws(SessionStoreError) -> [ChatMessage] {
        let store = self
        return try await DedicatedThread.run(throwing: { () throws(SessionStoreError) -> [ChatMessage] in
            try store.history(key)
        })
    }

    /// ``append(_:messages:)`` (write + `fsync`) run on a short-lived dedicated thread: never blocks a
    /// cooperative-pool thread on the disk. Use this from async code.
    public func appendTurn(_ key: SessionKey, messages: [ChatMessage]) async throws(SessionStoreError) {
        guard !messages.isEmpty else { return }
        let store = self
        try await DedicatedThread.run(throwing: { () throws(SessionStoreError) in
            try store.append(key, messages: messages)
        })
    }

    // MARK: - Blocking

    /// Every decodable message of the session, in order (missing file → empty). Reads the whole file; blocking.
    public func loadAll(_ key: SessionKey) throws(SessionStoreError) -> [ChatMessage] {
        try readMessages(key)?.messages ?? []
    }

    /// The context for the next turn: trimmed to ``maxHistoryMessages`` and repaired (no orphaned tool
    /// messages). Compacts an oversized file as a side effect. Served from the cache while the file is
    /// unchanged; blocking otherwise (see ``loadHistory(_:)``).
    public func history(_ key: SessionKey) throws(SessionStoreError) -> [ChatMessage] {
        let recent: [ChatMessage]
        let count: Int
        if let stamp = SessionFileStamp.of(path: path(for: key)), let cached = cache.tail(key, matching: stamp) {
            (recent, count) = (cached.messages, cached.count)
        } else if let (all, stamp) = try readMessages(key) {
            (recent, count) = (Array(all.suffix(tailLength)), all.count)
            // A file that changed while it was read is used as read but not cached.
            if let stamp {
                cache.store(key, SessionTail(messages: recent, count: count, stamp: stamp))
            } else {
                cache.remove(key)
            }
        } else {
            cache.remove(key)
            return []
        }
        let trimmed = HistoryTrimmer.trim(recent, limit: maxHistoryMessages)
        if count > compactionThreshold { try rewrite(key, messages: trimmed) }
        return HistoryTrimmer.repair(trimmed)
    }

    /// Appends messages (one turn) and fsyncs. Starts on a fresh line if the file ends in a torn line.
    /// Blocking (see ``appendTurn(_:messages:)``).
    public func append(_ key: SessionKey, messages: [ChatMessage]) throws(SessionStoreError) {
        guard !messages.isEmpty else { return }
        try ensureDirectory()
        let p = path(for: key)
        let fd = open(p, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SessionStoreError(path: p, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var st = stat()
        let before = fstat(fd, &st) == 0 ? SessionFileStamp(st) : nil
        if let before, before.size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, st.st_size - 1) == 1, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        }
        let lines = encodeLines(messages)
        for line in lines { bytes += line; bytes.append(UInt8(ascii: "\n")) }
        do throws(SessionStoreError) {
            try writeAll(fd, bytes, path: p)
            guard fsync(fd) == 0 else { throw SessionStoreError(path: p, operation: "fsync", errno: errno) }
        } catch {
            cache.remove(key)
            throw error
        }
        // Extend the cached tail only if it described the file exactly as it was before this write (an empty new
        // file counts as an empty tail); otherwise the next read reloads the file.
        let previous: SessionTail? =
            if let before, before.size == 0 {
                SessionTail(messages: [], count: 0, stamp: before)
            } else {
                cache.anyTail(key)
            }
        guard let previous, let before, previous.stamp == before, let after = SessionFileStamp.of(fd: fd),
            after.size == before.size + Int64(bytes.count)
        else {
            cache.remove(key)
            return
        }
        let written = decode(lines)
        cache.store(
            key,
            SessionTail(
                messages: Array((previous.messages + written).suffix(tailLength)),
                count: previous.count + written.count, stamp: after))
    }

    /// Replaces the session with `messages` atomically (temp file, fsync, rename, fsync of the directory).
    /// Blocking.
    public func rewrite(_ key: SessionKey, messages: [ChatMessage]) throws(SessionStoreError) {
        try ensureDirectory()
        let p = path(for: key)
        let tmp = directory + "/." + key.fileStem + ".\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SessionStoreError(path: tmp, operation: "create", errno: errno) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        cache.remove(key)
        let lines = encodeLines(messages)
        var stamp: SessionFileStamp?
        do {
            defer { close(fd) }
            var bytes: [UInt8] = []
            for line in lines { bytes += line; bytes.append(UInt8(ascii: "\n")) }
            try writeAll(fd, bytes, path: tmp)
            guard fsync(fd) == 0 else { throw SessionStoreError(path: tmp, operation: "fsync", errno: errno) }
            stamp = SessionFileStamp.of(fd: fd)
        }
        guard rename(tmp, p) == 0 else { throw SessionStoreError(path: p, operation: "replace", errno: errno) }
        ok = true
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
        // rename keeps the inode, size and mtime of the temp file, so its stamp is the new file's stamp.
        if let stamp {
            let written = decode(lines)
            cache.store(
                key, SessionTail(messages: Array(written.suffix(tailLength)), count: written.count, stamp: stamp))
        }
    }

    /// Deletes the session file (missing is fine).
    public func remove(_ key: SessionKey) {
        cache.remove(key)
        unlink(path(for: key))
    }

    // MARK: - Private

    /// Messages kept per cached session: one more than the limit, so trimming the tail equals trimming the file.
    private var tailLength: Int { maxHistoryMessages + 1 }

    /// One redacted JSON line per message (without the newline).
    private func encodeLines(_ messages: [ChatMessage]) -> [[UInt8]] {
        messages.map { Array(redactor.redact($0.jsonRecord).utf8) }
    }

    /// The messages as they will be read back from `lines` (redaction applies to the stored form).
    private func decode<S: Sequence>(_ lines: S) -> [ChatMessage] where S.Element: Sequence<UInt8> {
        lines.compactMap { try? JSONObjectReader.read(ChatMessage.self, from: Array($0)) }
    }

    /// Every decodable message of the file and, when the read saw one consistent version, its stamp
    /// (`nil` result: no file).
    private func readMessages(
        _ key: SessionKey
    ) throws(SessionStoreError)
        -> (messages: [ChatMessage], stamp: SessionFileStamp?)?
    {
        let p = path(for: key)
        guard let (bytes, stamp) = try readFile(p) else { return nil }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        return (decode(lines), stamp)
    }

    private func ensureDirectory() throws(SessionStoreError) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw SessionStoreError(path: directory, operation: "create directory", errno: errno)
        }
    }

    /// The file's bytes and, when the file did not change while it was read, its stamp.
    private func readFile(_ p: String) throws(SessionStoreError) -> ([UInt8], SessionFileStamp?)? {
        let fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SessionStoreError(path: p, operation: "open", errno: errno)
        }
        defer { close(fd) }
        let before = SessionFileStamp.of(fd: fd)
        let reserve = before.map { Int($0.size) } ?? 0
        let out: [UInt8]
        switch FileDescriptorIO.readToEnd(fd, reserve: reserve) {
        case .success(let bytes): out = bytes
        case .failure(let error): throw SessionStoreError(path: p, operation: "read", errno: error.code)
        }
        let after = SessionFileStamp.of(fd: fd)
        let consistent = before != nil && before == after && after.map { Int($0.size) == out.count } == true
        return (out, consistent ? after : nil)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SessionStoreError) {
        let code = FileDescriptorIO.writeAll(fd, bytes)
        if code != 0 { throw SessionStoreError(path: path, operation: "write", errno: code) }
    }
}
