import PicoConfig
@testable import PicoGateway
import PicoFakes
import Testing

/// `StartupNotes`: what the gateway logs once at start-up.
@Suite("startup notes")
struct StartupNotesTests {
    @Test func rootWarningOnlyForUIDZero() {
        let recorder = LogRecorder()
        let logger = recorder.logger("t", level: .trace)
        let loaded = try? ConfigLoader.load(
            environment: ["PICOCLAW_HOME": "/nonexistent-picoclaw"], homeDirectory: "/nonexistent")
        guard let loaded else { Issue.record("load failed"); return }
        StartupNotes.log(loaded, logger: logger, effectiveUID: 1000)
        #expect(!recorder.text.contains("root"))
        StartupNotes.log(loaded, logger: logger, effectiveUID: 0)
        #expect(recorder.text.contains("runs as root (uid 0)"))
        #expect(recorder.text.contains("useradd -r"))
    }
}
