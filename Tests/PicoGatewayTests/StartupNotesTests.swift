import Logging
import PicoConfig
@testable import PicoGateway
import Synchronization
import Testing

/// `StartupNotes`: what the gateway logs once at start-up.
@Suite("startup notes")
struct StartupNotesTests {
    @Test func rootWarningOnlyForUIDZero() {
        let recorder = LineRecorder()
        let logger = Logger(label: "t") { _ in recorder }
        let loaded = try? ConfigLoader.load(environment: ["PICOCLAW_HOME": "/nonexistent-picoclaw"], homeDirectory: "/nonexistent")
        guard let loaded else { Issue.record("load failed"); return }
        StartupNotes.log(loaded, logger: logger, effectiveUID: 1000)
        #expect(!recorder.text.contains("root"))
        StartupNotes.log(loaded, logger: logger, effectiveUID: 0)
        #expect(recorder.text.contains("runs as root (uid 0)"))
        #expect(recorder.text.contains("useradd -r"))
    }
}

/// A log handler that keeps every message.
final class LineRecorder: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message)") }
    }
}
