#if canImport(Glibc)
import Glibc
#endif
import Logging
@testable import PicoChannels
import Synchronization
import Testing

/// Collects log lines so tests can check what an owner would see.
final class LogRecorder: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
    }
    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }
    var messages: [String] { all.map(\.message) }

    func append(_ line: Line) { lines.withLock { $0.append(line) } }

    func contains(_ fragment: String) -> Bool { messages.contains { $0.contains(fragment) } }
    func count(_ fragment: String) -> Int { messages.filter { $0.contains(fragment) }.count }

    /// A logger writing here (level debug, so tests also see debug lines).
    func logger(_ label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }
}

struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(.init(level: event.level, message: "\(event.message)"))
    }
}

/// Fast timing for tests: every backoff and server-requested wait shrinks 1000×.
let fastTiming = ChannelTiming(scale: 0.001)

/// Takes the next inbound message, failing after `timeout`.
func nextMessage(_ iterator: inout AsyncStream<InboundMessage>.Iterator, timeout: Duration = .seconds(5)) async throws -> InboundMessage {
    let box = IteratorBox(iterator)
    let result = try await withThrowingTaskGroup(of: InboundMessage?.self) { group in
        group.addTask { await box.next() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
    iterator = box.iterator
    guard let result else { throw TestTimeout("no inbound message within \(timeout)") }
    return result
}

struct TestTimeout: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Lets a child task advance an iterator that the caller owns.
final class IteratorBox: @unchecked Sendable {
    var iterator: AsyncStream<InboundMessage>.Iterator
    init(_ iterator: AsyncStream<InboundMessage>.Iterator) { self.iterator = iterator }
    func next() async -> InboundMessage? { await iterator.next() }
}
