import Glibc
import PicoConfig
import Synchronization

/// Where log lines go: stderr always, plus an optional log file (mode 0640) that SIGHUP reopens, so
/// logrotate's `create` mode works. Every line passes through the secret redactor before it is written.
public final class LogOutput: Sendable {
    private struct State {
        var fileFD: Int32 = -1
    }
    private let state = Mutex(State())
    private let redactor: SecretRedactor
    /// The log file path, if any.
    public let filePath: String?
    private let writeToStderr: Bool

    /// Opens `filePath` (if given) for appending; throws a clear message when it cannot.
    public init(filePath: String?, redactor: SecretRedactor, writeToStderr: Bool = true) throws(LogFileError) {
        self.filePath = filePath
        self.redactor = redactor
        self.writeToStderr = writeToStderr
        if let filePath {
            let fd = try Self.open(filePath)
            state.withLock { $0.fileFD = fd }
        }
    }

    deinit {
        state.withLock { if $0.fileFD >= 0 { close($0.fileFD) } }
    }

    /// Writes one line (a newline is appended), redacted.
    public func write(_ line: String) {
        let text = redactor.redact(line) + "\n"
        var bytes = Array(text.utf8)
        state.withLock { s in
            if writeToStderr { writeAll(2, &bytes) }
            if s.fileFD >= 0 { writeAll(s.fileFD, &bytes) }
        }
    }

    /// Closes and reopens the log file (after logrotate moved it). Keeps the old descriptor on failure.
    @discardableResult
    public func reopen() -> Bool {
        guard let filePath, let fd = try? Self.open(filePath) else { return false }
        state.withLock { s in
            if s.fileFD >= 0 { close(s.fileFD) }
            s.fileFD = fd
        }
        return true
    }

    private static func open(_ path: String) throws(LogFileError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw LogFileError(path: path, reason: errnoText()) }
        return fd
    }
}

/// The log file could not be opened.
public struct LogFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String {
        "cannot open log file \(path): \(reason). Fix the directory permissions or unset gateway.log_file"
    }
}

private func writeAll(_ fd: Int32, _ bytes: inout [UInt8]) {
    bytes.withUnsafeBytes { buf in
        var offset = 0
        while offset < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
