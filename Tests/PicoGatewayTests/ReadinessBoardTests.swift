import Logging
import PicoChannels
import PicoFakes
@testable import PicoGateway
import Testing

/// While Telegram rejects the token, `/ready` says so (503, `telegram: failed`); once the token is accepted again
/// the channel recovers by itself and `/ready` turns 200 — no restart.
@Suite("ready stays truthful while the token is rejected", .serialized)
struct ReadyDuringRejectedTokenTests {
    @Test func readyFollowsTheRejectedTokenAndItsRecovery() async throws {
        let fake = try await FakeTelegram.start()
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        // Auth backoff 30 s doubling → 0.3 s doubling here: 4 rejections keep the token "bad" for 1–5 s.
        let channel = TelegramChannel(
            options: TelegramOptions(
                token: fake.token, allowFrom: ["1"], baseURL: fake.baseURL, pollTimeout: .seconds(1),
                timing: ChannelTiming(scale: 0.01), logger: logger))
        let board = ReadinessBoard()
        board.set("agents", ok: true, detail: "test")
        let supervisor = ChannelSupervisor(channels: [channel], board: board, logger: logger)
        let intake = Task { await supervisor.run() }
        defer { intake.cancel() }

        #expect(await waitFor(board, status: 200), "never ready: \(board.readyResponse().body)")
        fake.failNext(method: "getUpdates", status: 401, count: 4)
        #expect(await waitFor(board, status: 503), "/ready stayed 200 while the token was rejected")
        #expect(board.readyResponse().body.contains(#""detail":"failed""#))
        #expect(await waitFor(board, status: 200, timeout: .seconds(30)), "no recovery: \(board.readyResponse().body)")
        intake.cancel()
        await supervisor.stopAll()
        await fake.stop()
    }

    private func waitFor(_ board: ReadinessBoard, status: Int, timeout: Duration = .seconds(10)) async -> Bool {
        (try? await eventually("/ready to answer \(status)", timeout: timeout) {
            board.readyResponse().status == status
        }) != nil
    }
}
