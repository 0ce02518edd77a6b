import Glibc
import PicoAgent
import PicoFakes
import PicoState
import Testing

/// Schedules with the real binary: created through the model's tool call in one run, fired once after a restart.
@Suite("schedules survive restarts", .serialized)
struct ScheduleRestartTests {
    @Test func aScheduleCreatedInOneRunFiresOnceLateAfterARestart() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setResponder { request in
            if request.lastRole == "user", request.lastUserText?.contains("remind me") == true {
                return .toolCalls([
                    (
                        id: "s1", name: "schedule",
                        argumentsJSON: #"{"action":"create","at":"+1h","message":"Time to stretch!","mode":"text"}"#
                    )
                ])
            }
            return .text("Done: I will remind you.")
        }
        let run = GatewayRun(environment: ["PICOCLAW_AGENTS_DEFAULTS_TIMEZONE": "Europe/Berlin"])
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [5001])

        // Run 1: the model creates the schedule.
        telegram.enqueueTextMessage(from: 5001, text: "remind me in an hour to stretch")
        #expect(run.start())
        try await telegram.waitForSentMessageCount(1, timeout: .seconds(20))
        #expect(telegram.sentMessages(from: 0).first?.message.text == "Done: I will remind you.")
        let toolResult = llm.requests.last?.http.bodyString ?? ""
        #expect(toolResult.contains("Scheduled #1"), "\(toolResult.suffix(400))")
        #expect(await run.stop() == 0)

        // While the gateway is down, its due time passes (the test moves it 10 minutes into the past).
        let state = try await StateStore.open(directory: run.home + "/state")
        let stored = try await ScheduleStore(store: state).list()
        #expect(stored.count == 1 && stored.first?.zone == "Europe/Berlin")
        let id = try #require(stored.first?.id)
        try await state.write { db throws(StateError) in
            try db.execute("UPDATE schedules SET next_run = strftime('%s','now') - 600 WHERE id = ?", [.integer(id)])
        }
        await state.close()

        // Run 2: it fires once, late, and says so.
        #expect(run.start())
        try await telegram.waitForSentMessageCount(2, timeout: .seconds(20))
        let fired = try #require(telegram.sentMessages(from: 1).first)
        #expect(fired.message.chatId == 5001)
        #expect(fired.message.text.hasPrefix("Time to stretch!"))
        #expect(fired.message.text.contains("Late: this was due at") && fired.message.text.contains("(Europe/Berlin)"))
        #expect(await run.stop() == 0)

        // Run 3: nothing fires again, and the one-off is gone.
        #expect(run.start())
        #expect(await run.waitFor("/health", status: 200) != nil)
        #expect(await run.waitForLog("gateway started"))
        try await Task.sleep(for: .seconds(2))
        #expect(telegram.sentMessageCount == 2)
        #expect(await run.stop() == 0)
        let after = try await StateStore.open(directory: run.home + "/state")
        #expect(try await ScheduleStore(store: after).list().isEmpty)
        await after.close()
        #expect(llm.requests.count == 2, "the fixed text needs no model call")
        run.expectNoSecrets()
    }
}

/// `/stop` through the real gateway: it is answered at once, not queued behind the turn it cancels; in a forum
/// topic it cancels that topic's turn (each topic is a session of its own) and both answers stay in the topic.
@Suite("chat commands in the gateway", .serialized)
struct GatewayChatCommandTests {
    @Test(arguments: [nil, 77])
    func stopCancelsTheRunningTurnAtOnce(topic: Int?) async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setResponder { _ in .delay(20_000, then: .text("far too late")) }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [5001])
        #expect(run.start())
        let (chat, type) = topic == nil ? (5001, "private") : (-1_001_234_567, "supergroup")
        telegram.enqueueTextMessage(from: 5001, chatId: chat, chatType: type, text: "think very hard", threadId: topic)
        _ = try await llm.waitForRequests(count: 1, timeout: .seconds(20))
        let clock = ContinuousClock()
        let started = clock.now
        telegram.enqueueTextMessage(from: 5001, chatId: chat, chatType: type, text: "/stop", threadId: topic)
        try await telegram.waitForSentMessageCount(2, timeout: .seconds(10))
        #expect(started.duration(to: clock.now) < .seconds(8))
        let sent = telegram.sentMessages(from: 0).map(\.message)
        let texts = sent.map(\.text)
        #expect(texts.contains("Stopped."), "\(texts)")
        #expect(texts.contains { $0.contains("cancelled") }, "\(texts)")
        #expect(!texts.contains("far too late"))
        #expect(sent.allSatisfy { $0.params["message_thread_id"]?.intValue == topic }, "answers stay in the topic")
        #expect(await run.stop() == 0)
    }
}
