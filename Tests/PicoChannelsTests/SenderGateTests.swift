import Logging
@testable import PicoChannels
import Synchronization
import PicoFakes
import Testing

/// "Review access logs": each refused sender shows up once per hour with a count, so repeated attempts are
/// visible without flooding the log.
@Suite struct SenderGateTests {
    final class ManualClock: Sendable {
        private let now = Mutex(ContinuousClock.now)
        var instant: ContinuousClock.Instant { now.withLock { $0 } }
        func advance(_ d: Duration) { now.withLock { $0 += d } }
    }

    @Test func refusedSenderIsReportedOncePerHourWithACount() throws {
        let log = LogRecorder()
        let clock = ManualClock()
        let gate = SenderGate(
            allowlist: Allowlist(["1"], platform: "telegram"), logger: log.logger(),
            now: { clock.instant })
        for _ in 0..<5 { #expect(!gate.admit(senderID: "666", username: "eve")) }
        #expect(!gate.admit(senderID: "777", username: nil))
        let info = { log.lines.filter { $0.level >= .info }.map(\.message) }
        try #require(info().count == 2)
        #expect(info()[0].contains("refused message from user 666 (@eve). To allow them"))
        clock.advance(.seconds(1800))
        for _ in 0..<3 { _ = gate.admit(senderID: "666", username: "eve") }
        #expect(info().count == 2, "more than one line per hour: \(info())")
        clock.advance(.seconds(1801))
        _ = gate.admit(senderID: "666", username: "eve")
        try #require(info().count == 3)
        #expect(info()[2].contains("user 666 (@eve)"), "\(info())")
        #expect(info()[2].contains("8 messages refused in the last hour"), "\(info())")
        // The next hour starts counting again.
        clock.advance(.seconds(3601))
        _ = gate.admit(senderID: "666", username: "eve")
        #expect(info().last?.contains("1 message refused in the last hour") == true, "\(info())")
        #expect(gate.admit(senderID: "1", username: nil))
    }
}
