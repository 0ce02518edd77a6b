import PicoFakes
import Testing

/// The message path runs on the network thread (issue 18); how many of its jobs ran 20 ms or more (HTTP transfers
/// waited as long) is on `/metrics`. Through the real binary and the fakes: every message answered once, in order.
@Suite("network loop on /metrics", .serialized)
struct NetworkLoopMetricTests {
    @Test func messagesAreAnsweredInOrderAndTheSlowJobCounterIsExported() async throws {
        let scene = try await EchoTelegramScene.start()
        defer { Task { await scene.stopFakes() } }
        let (telegram, run) = (scene.telegram, scene.run)

        for n in 1...5 { _ = telegram.enqueueTextMessage(from: 4242, text: "message \(n)") }
        let sent = try await telegram.waitForSentMessages(count: 5, timeout: .seconds(20))
        #expect(sent.map(\.text) == (1...5).map { "re: message \($0)" })

        let text = try #require(await run.get("/metrics")).text
        #expect(text.contains("# TYPE picoclaw_network_loop_slow_jobs_total counter"), "\(text)")
        _ = try await run.metric("picoclaw_network_loop_slow_jobs_total")  // present, with a whole number
        #expect(await run.stop() == 0)
        #expect(telegram.sentMessages.count == 5)
        run.expectNoSecrets()
    }
}
