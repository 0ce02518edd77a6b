import PicoFakes
import Testing

/// Streamed replies through the real binary: the preview grows while the model writes, and the reply itself
/// arrives exactly once, as one final message (the outbox entry). The fake LLM writes its next piece only after
/// the client showed the previous one, so the test sees real progress without sleeping.
@Suite("streamed replies", .serialized)
struct StreamedReplyTests {
    static let pieces = ["Streaming ", "one piece ", "at a time."]

    @Test func telegramPrivateChatShowsGrowingDraftsThenOneFinalMessage() async throws {
        let scene = try await EchoTelegramScene.start()
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        llm.enqueue(
            .streamed(Self.pieces) { i in _ = try? await telegram.waitForDrafts(count: i, timeout: .seconds(10)) })
        _ = telegram.enqueueTextMessage(from: 4242, text: "tell me slowly")

        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(15))
        let drafts = telegram.drafts
        // The paced pieces show as they come; when the turn's end is slow (a loaded machine) the whole text may be
        // drafted once more before the final message.
        #expect(Array(drafts.map(\.text).prefix(2)) == ["Streaming ", "Streaming one piece "])
        #expect(drafts.dropFirst(2).allSatisfy { $0.text == Self.pieces.joined() }, "\(drafts.map(\.text))")
        #expect(Set(drafts.map(\.draftId)).count == 1, "one draft, animated")
        #expect(drafts.allSatisfy { $0.chatId == 4242 })
        #expect(sent.map(\.text) == ["Streaming one piece at a time."])
        #expect(llm.requests.first?.stream == true)
        #expect(await run.stop() == 0)
        #expect(telegram.sentMessages.count == 1, "exactly one final message")
        #expect(telegram.edits.isEmpty)
        run.expectNoSecrets()
    }

    @Test func telegramWithoutDraftsEditsOnePlaceholderAndRemovesIt() async throws {
        let scene = try await EchoTelegramScene.start()
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        telegram.setDraftsSupported(false)  // an older Bot API server
        llm.enqueue(
            .streamed(Self.pieces) { i in
                // piece 1 → the placeholder message; piece 2 → one edit of it
                if i == 1 { _ = try? await telegram.waitForSentMessages(count: 1, timeout: .seconds(10)) }
                if i == 2 { _ = try? await telegram.waitForEdits(count: 1, timeout: .seconds(10)) }
            })
        _ = telegram.enqueueTextMessage(from: 4242, text: "tell me slowly")

        let sent = try await telegram.waitForSentMessages(count: 2, timeout: .seconds(15))
        #expect(sent[0].text == "Streaming ")
        #expect(sent[1].text == "Streaming one piece at a time.")
        let edits = telegram.edits.map(\.text)  // (a slow end may show the whole text once more)
        #expect(edits.first == "Streaming one piece " && edits.dropFirst().allSatisfy { $0 == Self.pieces.joined() })
        #expect(telegram.edits.allSatisfy { $0.messageId == sent[0].messageId })
        let deletes = try await telegram.waitForCalls(method: "deleteMessage", count: 1)
        #expect(
            deletes.map { $0.params["message_id"]?.intValue } == [sent[0].messageId],
            "the placeholder is removed, the final message stays")
        #expect(await run.stop() == 0)
        #expect(telegram.sentMessages.count == 2)
        run.expectNoSecrets()
    }

    @Test func discordEditsItsPlaceholderThenSendsTheReplyOnce() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        llm.enqueue(
            .streamed(Self.pieces) { i in
                if i == 1 { _ = try? await discord.waitForSentMessages(count: 1, timeout: .seconds(10)) }
                if i == 2 { _ = try? await discord.waitForRequests(method: "PATCH", count: 1, timeout: .seconds(10)) }
            })
        let run = GatewayRun()
        run.useLLM(llm)
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            bot: false, content: "tell me slowly", mentionsBot: false)
        let sent = try await discord.waitForSentMessages(count: 2, timeout: .seconds(15))
        #expect(sent.map(\.content) == ["Streaming ", "Streaming one piece at a time."])
        let patches = discord.restRequests.filter { $0.method == "PATCH" }
        // (A slow end may show the whole text once more.)
        #expect(
            patches.dropFirst().allSatisfy { $0.json?["content"]?.stringValue == Self.pieces.joined() },
            "\(patches.map { $0.json?["content"]?.stringValue ?? "" })")
        #expect(patches.allSatisfy { $0.path == patches.first?.path })
        #expect(patches.first?.path == "/api/v10/channels/777/messages/\(sent[0].messageId)")
        #expect(patches.first?.json?["content"]?.stringValue == "Streaming one piece ")
        let deletes = try await discord.waitForRequests(method: "DELETE", count: 1)
        #expect(deletes.first?.path == "/api/v10/channels/777/messages/\(sent[0].messageId)")
        #expect(await run.stop() == 0)
        #expect(discord.sentMessages.count == 2)
        run.expectNoSecrets()
    }

    @Test func telegramsStopButtonOnADraftCancelsTheTurnLikeSlashStop() async throws {
        let scene = try await EchoTelegramScene.start()
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        // The model writes one piece, then stalls until the user pressed stop and was answered.
        llm.enqueue(
            .streamed(["Thinking about it ", "and more ", "never said."]) { i in
                if i == 1 {
                    guard let draft = try? await telegram.waitForDrafts(count: 1, timeout: .seconds(10)).first else {
                        return
                    }
                    #expect(draft.canStop, "the draft offers Telegram's stop button")
                    // A press on some other draft (gone, or never ours) changes nothing.
                    telegram.enqueueGenerationStopped(chatId: 4242, draftId: draft.draftId &+ 1)
                    #expect(telegram.pressStop(on: draft) != nil)
                }
                if i == 2 { _ = try? await telegram.waitForSentMessages(count: 2, timeout: .seconds(20)) }
            })
        _ = telegram.enqueueTextMessage(from: 4242, text: "think very hard")

        let sent = try await telegram.waitForSentMessages(count: 2, timeout: .seconds(15))
        let texts = sent.map(\.text)
        #expect(texts.contains("Stopped."), "\(texts)")
        #expect(texts.contains { $0.contains("cancelled") }, "\(texts)")
        #expect(!texts.contains { $0.contains("never said") }, "\(texts)")
        #expect(llm.requests.count == 1)
        let polls = telegram.getUpdatesCalls.compactMap(\.allowedUpdates)
        #expect(polls.last?.contains("stopped_message_generation") == true, "\(polls.last ?? [])")
        #expect(await run.stop() == 0)
        #expect(
            telegram.sentMessages.count == 2, "one answer to the press, one reply to the turn; none for the stale press"
        )
        run.expectNoSecrets()
    }

    @Test func quickAnswerSendsNoPreviewAtAll() async throws {
        let scene = try await EchoTelegramScene.start()
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        llm.enqueue(.text("quick"))
        let asked = ContinuousClock.now
        _ = telegram.enqueueTextMessage(from: 4242, text: "hi")
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        let took = asked.duration(to: .now)
        #expect(sent.map(\.text) == ["quick"])
        #expect(await run.stop() == 0)
        // A preview could only have come after its 1 s delay: none was drawn (when the reply came within it; a loaded
        // machine may take longer, and then a draft is right).
        if took < .milliseconds(900) { #expect(telegram.drafts.isEmpty, "a draft for a reply after \(took)") }
        #expect(telegram.sentMessages.count == 1)
    }
}
