import PicoFakes
import Testing

/// The message path runs on the network thread (issue 18); how many of its jobs ran 20 ms or more (HTTP transfers
/// waited as long) is on `/metrics`. Through the real binary and the fakes: every message answered once, in order.
@Suite("network loop on /metrics", .serialized)
struct NetworkLoopMetricTests {
    @Test func messagesAreAnsweredInOrderAndTheSlowJobCounterIsExported() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setResponder { request in .text("re: \(request.lastUserText ?? "")") }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")

        for n in 1...5 { _ = telegram.enqueueTextMessage(from: 4242, text: "message \(n)") }
        let sent = try await telegram.waitForSentMessages(count: 5, timeout: .seconds(20))
        #expect(sent.map(\.text) == (1...5).map { "re: message \($0)" })

        let text = try #require(await run.get("/metrics")).text
        #expect(text.contains("# TYPE picoclaw_network_loop_slow_jobs_total counter"), "\(text)")
        let line = try #require(
            text.split(separator: "\n").first { $0.hasPrefix("picoclaw_network_loop_slow_jobs_total ") }, "\(text)")
        #expect(Int(line.split(separator: " ")[1]) != nil, "\(line)")
        #expect(await run.stop() == 0)
        #expect(telegram.sentMessages.count == 5)
        run.expectNoSecrets()
    }
}
