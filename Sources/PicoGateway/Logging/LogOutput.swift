import PicoConfig

/// Where log lines go: stderr always, plus an optional log file (mode 0640). Every line passes through the
/// secret redactor before it is written.
///
/// Logging never blocks the thread that logs (often the network loop): each destination writes a line at once
/// only when that cannot block, and otherwise queues it for its own writer thread (``LogDestination``). A reader
/// that stalls (a paused `| less`, a stuck journald, a frozen disk) costs dropped lines, counted in
/// ``droppedLines`` and reported once output resumes — never a stalled gateway. See ``LogFileSink`` for how the
/// file follows logrotate without a signal and never follows a symlink.
public final class LogOutput: Sendable {
    private let redactor: SecretRedactor
    /// The log file path, if any.
    public let filePath: String?
    private let stderr: LogDestination?
    private let file: LogDestination?
    private let fileSink: LogFileSink?

    /// Opens `filePath` (if given) for appending; throws a clear message when it cannot.
    public convenience init(
        filePath: String?, redactor: SecretRedactor, writeToStderr: Bool = true
    )
        throws(LogFileError)
    {
        try self.init(filePath: filePath, redactor: redactor, stderrDescriptor: writeToStderr ? 2 : nil)
    }

    /// As above, with the descriptor standing for stderr (`nil`: none) and the queue bound (tests).
    init(
        filePath: String?, redactor: SecretRedactor, stderrDescriptor: Int32?,
        queueLimit: Int = LogDestination.queueLimit
    ) throws(LogFileError) {
        self.filePath = filePath
        self.redactor = redactor
        stderr = stderrDescriptor.map {
            LogDestination(name: "stderr", sink: DescriptorLogSink(fd: $0), queueLimit: queueLimit)
        }
        fileSink = try filePath.map { path throws(LogFileError) in try LogFileSink(path: path) }
        file = fileSink.map { LogDestination(name: "the log file", sink: $0, queueLimit: queueLimit) }
    }

    /// Writes one line (a newline is appended), redacted. Never blocks on the destinations.
    public func write(_ line: String) {
        var text = redactor.redact(line)
        text.append("\n")
        text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            stderr?.write(bytes)
            file?.write(bytes)
        }
    }

    /// Reopens the log file by name before its next line (SIGHUP); `false` when there is no log file.
    @discardableResult
    public func reopen() -> Bool {
        fileSink?.requestReopen()
        return fileSink != nil
    }

    /// Lines dropped so far because a destination did not keep up (`picoclaw_log_lines_dropped_total`).
    public var droppedLines: Int {
        (stderr?.droppedLines ?? 0) + (file?.droppedLines ?? 0)
    }

    /// Writer threads started so far (tests).
    var writerThreadStarts: Int {
        (stderr?.writerThreadStarts ?? 0) + (file?.writerThreadStarts ?? 0)
    }

    /// Waits up to `timeout` (shared by the destinations) for queued lines to be written, e.g. before exiting;
    /// `false` if some are still waiting.
    @discardableResult
    public func flush(within timeout: Duration = .seconds(2)) -> Bool {
        let start = ContinuousClock.now
        let stderrDone = stderr?.flush(within: timeout) ?? true
        let left = max(.zero, timeout - (ContinuousClock.now - start))
        let fileDone = file?.flush(within: left) ?? true
        return stderrDone && fileDone
    }
}
