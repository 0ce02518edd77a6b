import Logging
import Synchronization

/// Collects what code under test logs, so a test can check what an owner would see (and that no secret is in it).
/// The one log-capturing helper of the test targets.
public final class LogRecorder: Sendable {
    /// One log event.
    public struct Line: Sendable {
        public let level: Logger.Level
        public let message: String
        /// `key=value` pairs, sorted by key, space-separated ("" without metadata).
        public let metadata: String

        /// `level message metadata` (the form `text` and `rendered` use).
        public var rendered: String { "\(level) \(message) \(metadata)" }
    }

    private let recorded = Mutex<[Line]>([])

    public init() {}

    /// Every event so far, in order.
    public var lines: [Line] { recorded.withLock { $0 } }
    /// The messages alone.
    public var messages: [String] { lines.map(\.message) }
    /// Each event as `level message metadata`.
    public var rendered: [String] { lines.map(\.rendered) }
    /// ``rendered`` joined with newlines.
    public var text: String { rendered.joined(separator: "\n") }

    /// `true` when any message contains `fragment`.
    public func contains(_ fragment: String) -> Bool { messages.contains { $0.contains(fragment) } }
    /// How many messages contain `fragment`.
    public func count(_ fragment: String) -> Int { messages.filter { $0.contains(fragment) }.count }

    /// A logger writing here at `level` and above.
    public func logger(_ label: String = "test", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: Line) { recorded.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let meta = (event.metadata ?? [:]).merging(metadata) { a, _ in a }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.append(Line(level: event.level, message: "\(event.message)", metadata: meta))
        }
    }
}
