import Glibc
import PicoConfig
import PicoSystem

/// The running summary of a session's older turns: `<sessions>/<key stem>.summary`, next to the session's JSON
/// Lines file (mode 0600, written atomically, redacted). Blocking work runs on a short-lived dedicated thread.
public struct SessionSummaryStore: Sendable {
    /// Longest summary kept (characters).
    public static let maxCharacters = 16_000

    public let directory: String
    let redactor: SecretRedactor

    public init(directory: String, redactor: SecretRedactor) {
        self.directory = directory
        self.redactor = redactor
    }

    /// The file of `key`.
    public func path(for key: SessionKey) -> String { directory + "/" + key.fileStem + ".summary" }

    /// The summary of `key` ("" when there is none).
    public func load(_ key: SessionKey) async -> String {
        await DedicatedThread.run { self.loadBlocking(key) }
    }

    /// ``load(_:)`` on the calling thread (blocking file I/O).
    func loadBlocking(_ key: SessionKey) -> String {
        let fd = open(path(for: key), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        while out.count < 4 * SessionSummaryStore.maxCharacters + 4 {
            let n = buf.withUnsafeMutableBytes { FileDescriptorIO.read(fd, into: $0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Replaces the summary of `key` (temp file, fsync, rename). Returns `false` when it could not be written.
    @discardableResult
    public func save(_ key: SessionKey, _ summary: String) async -> Bool {
        let text = redactor.redact(String(summary.prefix(SessionSummaryStore.maxCharacters)))
        let (dir, p) = (directory, path(for: key))
        let tmp = p + ".\(UInt32.random(in: 0...UInt32.max)).tmp"
        return await DedicatedThread.run {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST { return false }
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return false }
            let bytes = Array(text.utf8)
            let ok = FileDescriptorIO.writeAll(fd, bytes) == 0 && fsync(fd) == 0
            close(fd)
            guard ok, rename(tmp, p) == 0 else { unlink(tmp); return false }
            return true
        }
    }

    /// Deletes the summary of `key` (missing is fine).
    public func remove(_ key: SessionKey) async {
        let p = path(for: key)
        await DedicatedThread.run { _ = unlink(p) }
    }
}
