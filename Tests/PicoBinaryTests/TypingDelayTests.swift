import PicoFakes
import Synchronization
import Testing

/// The typing indicator waits a moment (issue 18): a quick answer goes out alone, a slow turn still shows typing.
/// Through the real binary and the fakes.
@Suite("typing delay", .serialized)
struct TypingDelayTests {
    @Test func aQuickReplyGoesOutAloneASlowTurnShowsTypingAndEachIsAnsweredOnceInOrder() async throws {
        let scene = try await EchoTelegramScene.start()
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        let actionsBeforeSlow = ActionCount()
        // The slow turn lasts until its typing indicator was seen (an event, not a time a loaded machine may overrun).
        llm.setResponder { request in
            let text = request.lastUserText ?? ""
            guard text == "slow" else { return .text("re: \(text)") }
            let seen = actionsBeforeSlow.value.withLock { $0 }
            return .after(
                { _ = try? await telegram.waitForChatActions(count: seen + 1, timeout: .seconds(60)) },
                then: .text("re: slow"))
        }

        let quickStart = ContinuousClock.now
        _ = telegram.enqueueTextMessage(from: 4242, text: "quick")
        let quick = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        let quickTook = quickStart.duration(to: .now)
        // Typing would only have flashed before this reply: none was sent (when the reply came within the delay).
        if quickTook < .milliseconds(250) {
            #expect(
                telegram.calls.filter { $0.method == "sendChatAction" }.isEmpty, "typing for a reply after \(quickTook)"
            )
        }

        let before = telegram.chatActions.count
        actionsBeforeSlow.value.withLock { $0 = before }
        _ = telegram.enqueueTextMessage(from: 4242, text: "slow")
        let actions = try await telegram.waitForChatActions(count: before + 1, timeout: .seconds(60))
        #expect(actions.allSatisfy { $0.action == "typing" && $0.chatId == 4242 })
        _ = telegram.enqueueTextMessage(from: 4242, text: "after")
        let sent = try await telegram.waitForSentMessages(count: 3, timeout: .seconds(20))
        #expect(quick.map(\.text) == ["re: quick"])
        #expect(sent.map(\.text) == ["re: quick", "re: slow", "re: after"])
        #expect(llm.requests.count == 3)
        #expect(await run.stop() == 0)
        #expect(telegram.sentMessages(from: 0).count == 3, "each message answered once")
        run.expectNoSecrets()
    }
}

/// The chat actions seen before the slow message, shared with the fake model's responder.
private final class ActionCount: Sendable {
    let value = Mutex(0)
}
