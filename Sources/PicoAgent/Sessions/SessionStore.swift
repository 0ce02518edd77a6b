import FoundationEssentials
import Glibc
import PicoConfig

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
        "session store: cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// Session history as JSON Lines: `<workspace>/sessions/<key stem>.jsonl`, one ``ChatMessage`` per line.
///
/// The directory is 0700 and files 0600. Turns are appended with `O_APPEND` and fsynced; loading skips lines
/// that do not decode (a torn last line after a crash), and the next append starts on a fresh line, so a crash
/// never makes a session unreadable. Files that grow past ``compactionThreshold`` messages are rewritten
/// atomically (temp file + fsync + rename) with the trimmed history. Every line is redacted before writing.
/// Callers serialise access per key (``AgentDispatcher`` does).
public struct SessionStore: Sendable {
    /// The `sessions` directory.
    public let directory: String
    /// Messages kept as context (`agents.defaults.max_history_messages`).
    public let maxHistoryMessages: Int
    let redactor: SecretRedactor

    public init(directory: String, maxHistoryMessages: Int = 40, redactor: SecretRedactor) {
        self.directory = directory
        self.maxHistoryMessages = max(1, maxHistoryMessages)
        self.redactor = redactor
    }

    /// The store of an agent workspace: `<workspace>/sessions`.
    public init(workspace: String, maxHistoryMessages: Int = 40, redactor: SecretRedactor) {
        self.init(directory: workspace.hasSuffix("/") ? workspace + "sessions" : workspace + "/sessions",
                  maxHistoryMessages: maxHistoryMessages, redactor: redactor)
    }

    /// Files holding more messages than this are compacted on load.
    public var compactionThreshold: Int { max(4 * maxHistoryMessages, 200) }

    /// The file of `key`.
    public func path(for key: SessionKey) -> String { directory + "/" + key.fileStem + ".jsonl" }

    /// Every decodable message of the session, in order (missing file → empty).
    public func loadAll(_ key: SessionKey) throws(SessionStoreError) -> [ChatMessage] {
        let p = path(for: key)
        guard let bytes = try readFile(p) else { return [] }
        var out: [ChatMessage] = []
        let decoder = JSONDecoder()
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            if let m = try? decoder.decode(ChatMessage.self, from: Data(line)) { out.append(m) }
        }
        return out
    }

    /// The context for the next turn: trimmed to ``maxHistoryMessages`` and repaired (no orphaned tool
    /// messages). Compacts an oversized file as a side effect.
    public func history(_ key: SessionKey) throws(SessionStoreError) -> [ChatMessage] {
        let all = try loadAll(key)
        let trimmed = HistoryTrimmer.trim(all, limit: maxHistoryMessages)
        if all.count > compactionThreshold { try rewrite(key, messages: trimmed) }
        return HistoryTrimmer.repair(trimmed)
    }

    /// Appends messages (one turn) and fsyncs. Starts on a fresh line if the file ends in a torn line.
    public func append(_ key: SessionKey, messages: [ChatMessage]) throws(SessionStoreError) {
        guard !messages.isEmpty else { return }
        try ensureDirectory()
        let p = path(for: key)
        let fd = open(p, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SessionStoreError(path: p, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, st.st_size - 1) == 1, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        }
        bytes += encodeLines(messages)
        try writeAll(fd, bytes, path: p)
        guard fsync(fd) == 0 else { throw SessionStoreError(path: p, operation: "fsync", errno: errno) }
    }

    /// Replaces the session with `messages` atomically (temp file, fsync, rename, fsync of the directory).
    public func rewrite(_ key: SessionKey, messages: [ChatMessage]) throws(SessionStoreError) {
        try ensureDirectory()
        let p = path(for: key)
        let tmp = directory + "/." + key.fileStem + ".\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SessionStoreError(path: tmp, operation: "create", errno: errno) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            defer { close(fd) }
            try writeAll(fd, encodeLines(messages), path: tmp)
            guard fsync(fd) == 0 else { throw SessionStoreError(path: tmp, operation: "fsync", errno: errno) }
        }
        guard rename(tmp, p) == 0 else { throw SessionStoreError(path: p, operation: "replace", errno: errno) }
        ok = true
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Deletes the session file (missing is fine).
    public func remove(_ key: SessionKey) {
        unlink(path(for: key))
    }

    // MARK: - Private

    private func encodeLines(_ messages: [ChatMessage]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var out: [UInt8] = []
        for m in messages {
            guard let data = try? encoder.encode(m) else { continue }
            out += Array(redactor.redact(String(decoding: data, as: UTF8.self)).utf8)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private func ensureDirectory() throws(SessionStoreError) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw SessionStoreError(path: directory, operation: "create directory", errno: errno)
        }
    }

    private func readFile(_ p: String) throws(SessionStoreError) -> [UInt8]? {
        let fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SessionStoreError(path: p, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SessionStoreError(path: p, operation: "read", errno: errno)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SessionStoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SessionStoreError(path: path, operation: "write", errno: errno)
            }
            offset += n
        }
    }
}
