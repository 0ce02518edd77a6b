import Glibc
import PicoFakes
import Testing

/// `tools.exec.approval` through the real binary: the owner gets buttons; only the owner's press runs the
/// command; a press by someone else, a denial or the timeout leaves the workspace untouched.
@Suite("exec approvals", .serialized)
struct ApprovalTests {
    static let owner = 4242

    static func execCall(_ id: String, _ command: String) -> FakeLLMResponse {
        .toolCalls([(id: id, name: "exec", argumentsJSON: #"{"command":"\#(command)"}"#)])
    }

    @Test func ownersPressRunsTheCommandOthersDoNot() async throws {
        // A timeout far beyond any wait here: the presses decide, however slow the machine (the timeout has its own
        // test below).
        let scene = try await EchoTelegramScene.start(
            allowing: [Self.owner, 5005],
            environment: [
                "PICOCLAW_TOOLS_EXEC_APPROVAL_PATTERNS": "^touch ",
                "PICOCLAW_TOOLS_EXEC_APPROVAL_TIMEOUT_SECONDS": "600",
            ])
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        llm.enqueue(
            Self.execCall("c1", "touch once.txt"), .text("done once"),
            Self.execCall("c3", "touch always.txt"), .text("done always"),
            Self.execCall("c4", "touch always.txt"), .text("done again"),
            Self.execCall("c5", "curl --version"), .text("done curl"))

        // 1. A held command: the owner sees the command, argv, cwd and three buttons.
        telegram.enqueueTextMessage(from: 5005, username: "friend", text: "make once.txt")
        try await telegram.waitForSentMessageCount(1, timeout: .seconds(10))
        let prompt = try #require(telegram.sentMessages.first)
        #expect(prompt.chatId == Self.owner && prompt.text.contains("touch once.txt") && prompt.text.contains("cwd: "))
        let buttons = telegram.inlineButtons(sentTo: Self.owner)
        #expect(buttons.map(\.text) == ["Approve once", "Deny", "Always for this exact command"])
        // Someone else's press (even the requester's) does not count.
        telegram.enqueueCallbackQuery(from: 5005, data: buttons[0].data, chatId: Self.owner)
        _ = try await telegram.waitForCalls(method: "answerCallbackQuery", count: 1, timeout: .seconds(10))
        #expect(
            telegram.calls.last { $0.method == "answerCallbackQuery" }?.params["text"]?.stringValue
                == "Only the owner can decide.")
        #expect(access(run.workspace + "/once.txt", F_OK) != 0, "a non-owner's press ran the command")
        // The owner's press runs it.
        telegram.enqueueCallbackQuery(from: Self.owner, data: buttons[0].data)
        try await telegram.waitForSentMessageCount(2, timeout: .seconds(10))
        #expect(telegram.sentMessages[1].chatId == 5005 && telegram.sentMessages[1].text == "done once")
        #expect(access(run.workspace + "/once.txt", F_OK) == 0)

        // 2. "Always for this exact command": runs now and again later without asking.
        telegram.enqueueTextMessage(from: 5005, username: "friend", text: "make always.txt")
        try await telegram.waitForSentMessageCount(3, timeout: .seconds(10))
        let always = try #require(telegram.inlineButtons(sentTo: Self.owner).last { $0.text.hasPrefix("Always") })
        telegram.enqueueCallbackQuery(from: Self.owner, data: always.data)
        try await telegram.waitForSentMessageCount(4, timeout: .seconds(10))
        #expect(access(run.workspace + "/always.txt", F_OK) == 0)
        unlink(run.workspace + "/always.txt")
        telegram.enqueueTextMessage(from: 5005, username: "friend", text: "again")
        try await telegram.waitForSentMessageCount(5, timeout: .seconds(10))
        #expect(telegram.sentMessages[4].text == "done again")
        #expect(access(run.workspace + "/always.txt", F_OK) == 0, "the standing approval did not apply")

        // 3. Risky by default: a network tool is held too; the owner denies it.
        telegram.enqueueTextMessage(from: 5005, username: "friend", text: "curl")
        try await telegram.waitForSentMessageCount(6, timeout: .seconds(10))
        #expect(
            telegram.sentMessages[5].text.contains("curl --version")
                && telegram.sentMessages[5].text.contains("network"))
        let deny = try #require(telegram.inlineButtons(sentTo: Self.owner).last { $0.text == "Deny" })
        telegram.enqueueCallbackQuery(from: Self.owner, data: deny.data)
        try await telegram.waitForSentMessageCount(7, timeout: .seconds(10))

        // The audit trail has every decision and its approver.
        #expect(await run.waitForLog("exec approval: denied"))
        let log = run.log
        #expect(log.contains("exec approval: approved-once") && log.contains("approver=telegram:4242"))
        #expect(log.contains("exec approval: approved-always"))
        #expect(log.contains("approver=standing-rule"))
        #expect(log.contains("ignored a press by telegram:5005"))
        let metrics = await run.get("/metrics")?.text ?? ""
        #expect(metrics.contains("picoclaw_approvals_total{decision=\"approved-once\"} 1"))
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func anUnansweredCommandIsDeniedAfterTheTimeoutAndALatePressChangesNothing() async throws {
        let scene = try await EchoTelegramScene.start(
            allowing: [Self.owner, 5005],
            environment: [
                "PICOCLAW_TOOLS_EXEC_APPROVAL_PATTERNS": "^touch ", "PICOCLAW_TOOLS_EXEC_APPROVAL_TIMEOUT_SECONDS": "1",
            ])
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        llm.enqueue(Self.execCall("c2", "touch late.txt"), .text("done late"))

        telegram.enqueueTextMessage(from: 5005, username: "friend", text: "make late.txt")
        // The prompt, then the reply after the timeout.
        try await telegram.waitForSentMessageCount(2, timeout: .seconds(15))
        #expect(telegram.sentMessages[1].text == "done late")
        let late = try #require(telegram.inlineButtons(sentTo: Self.owner).first)
        telegram.enqueueCallbackQuery(from: Self.owner, data: late.data)
        _ = try await telegram.waitForCalls(method: "answerCallbackQuery", count: 1, timeout: .seconds(10))
        #expect(access(run.workspace + "/late.txt", F_OK) != 0, "a timed-out command ran")
        let deniedTurn = try await llm.waitForRequests(count: 2)
        #expect(deniedTurn[1].json.jsonString.contains("not approved"))
        #expect(await run.waitForLog("exec approval: denied-timeout"))
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func discordButtonsInTheOwnersDMOnlyTheOwnersPressCounts() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        let run = GatewayRun(environment: ["PICOCLAW_TOOLS_EXEC_APPROVAL": "always"])
        run.useLLM(llm)
        run.useDiscord(discord, allowFrom: ["555000111", "555000222"])
        llm.enqueue(Self.execCall("d1", "touch discord.txt"), .text("done on discord"))
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000222", username: "friend",
            bot: false, content: "make discord.txt", mentionsBot: false)
        let prompt = try #require(try await discord.waitForSentMessages(count: 1, timeout: .seconds(10)).first)
        #expect(prompt.channelId == "dm-555000111" && prompt.content.contains("touch discord.txt"))
        let buttons = prompt.body["components"]?.arrayValue?.first?["components"]?.arrayValue ?? []
        #expect(
            buttons.compactMap { $0["label"]?.stringValue } == [
                "Approve once", "Deny", "Always for this exact command",
            ])
        let approve = try #require(buttons.first?["custom_id"]?.stringValue)
        discord.dispatchButtonPress(customId: approve, userId: "555000222", channelId: "dm-555000111")
        let ignored = try await discord.waitForInteractionReplies(count: 1, timeout: .seconds(10))
        #expect(ignored[0].body["data"]?["content"]?.stringValue == "Only the owner can decide.")
        #expect(access(run.workspace + "/discord.txt", F_OK) != 0)
        discord.dispatchButtonPress(customId: approve, userId: "555000111", channelId: "dm-555000111")
        // The turn waited for the press: a placeholder may have shown in the channel first; the reply is what stays.
        try await run.waitForTurnsDone(1)
        let reply = discord.keptMessages
        try #require(reply.count == 2, "\(reply.map(\.content))")
        #expect(reply[1].channelId == "777" && reply[1].content == "done on discord")
        #expect(access(run.workspace + "/discord.txt", F_OK) == 0)
        #expect(await run.waitForLog("approver=discord:555000111"))
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }
}
