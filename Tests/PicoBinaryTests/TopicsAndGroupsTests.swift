import PicoFakes
import Testing

/// Telegram groups and forum topics through the real binary: `mention_only` lets mentions, replies to the bot
/// and `/commands` through; each topic is its own conversation and every reply stays in its topic.
@Suite("groups and topics", .serialized)
struct TopicsAndGroupsTests {
    @Test func eachForumTopicHasItsOwnHistoryAndRepliesCarryTheThreadID() async throws {
        let scene = try await EchoTelegramScene.start(
            replyPrefix: "echo: ", environment: ["PICOCLAW_CHANNELS_TELEGRAM_MENTION_ONLY": "true"])
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        let group = -1_001_234_567
        let bot = "@" + telegram.botUsername

        _ = telegram.enqueueTextMessage(
            from: 4242, chatId: group, chatType: "supergroup", text: "\(bot) the secret is apple", threadId: 77)
        try await run.waitForTurnsDone(1)
        // Not addressed to the bot: ignored under mention_only.
        _ = telegram.enqueueTextMessage(
            from: 4242, chatId: group, chatType: "supergroup", text: "just chatting", threadId: 88)
        _ = telegram.enqueueTextMessage(
            from: 4242, chatId: group, chatType: "supergroup", text: "\(bot) what is the secret?", threadId: 88)
        try await run.waitForTurnsDone(2)
        // A /command counts as addressed to the bot, without a mention.
        _ = telegram.enqueueTextMessage(
            from: 4242, chatId: group, chatType: "supergroup", text: "/ask what is the secret?", threadId: 77)
        try await run.waitForTurnsDone(3)
        // Slow turns show a placeholder first: the replies are what stays.
        let sent = telegram.keptMessages
        try #require(sent.count == 3, "\(sent.map(\.text))")
        #expect(sent.map { $0.params["message_thread_id"]?.intValue } == [77, 88, 77])
        #expect(sent.allSatisfy { $0.chatId == group })
        #expect(sent.allSatisfy { $0.replyToMessageId != nil }, "group answers reply to the question")
        #expect(sent[2].text == "echo: /ask what is the secret?")
        let requests = llm.requests
        #expect(requests.count == 3)
        #expect(!requests.contains { $0.lastUserText == "just chatting" })
        let topic88 = try #require(requests.first { $0.lastUserText == "what is the secret?" })
        let topic77 = try #require(requests.first { $0.lastUserText == "/ask what is the secret?" })
        #expect(!topic88.json.jsonString.contains("apple"), "topic 88 must not see topic 77's history")
        #expect(topic77.json.jsonString.contains("the secret is apple"), "topic 77 keeps its own history")
        #expect(telegram.chatActions.allSatisfy { $0.chatId == group })
        #expect(
            telegram.calls.filter { $0.method == "sendChatAction" }.allSatisfy {
                $0.params["message_thread_id"]?.intValue != nil
            })
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }
}

/// Discord threads are channels of their own: a reply in a thread stays there, with the thread's own history.
@Suite("discord threads", .serialized)
struct DiscordThreadTests {
    @Test func aThreadHasItsOwnSessionAndItsRepliesStayInIt() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        llm.setResponder { request in .text("echo: \(request.lastUserText ?? "")") }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        let guild = "200000000000000001", parent = "300000000000000777", thread = "300000000000000888"
        _ = discord.dispatchMessageCreate(
            channelId: parent, guildId: guild, authorId: "555000111", content: "the secret is apple")
        try await run.waitForTurnsDone(1)
        _ = discord.dispatchMessageCreate(
            channelId: thread, guildId: guild, authorId: "555000111", content: "what is the secret?")
        try await run.waitForTurnsDone(2)
        #expect(discord.keptMessages.map(\.channelId) == [parent, thread])
        let inThread = try #require(llm.requests.first { $0.lastUserText == "what is the secret?" })
        #expect(!inThread.json.jsonString.contains("apple"), "the thread must not see the parent channel's history")
        #expect(await run.stop() == 0)
    }
}
