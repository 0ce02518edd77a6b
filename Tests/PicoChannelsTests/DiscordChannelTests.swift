import Logging
@testable import PicoChannels
import PicoFakes
import Testing

@Suite("Discord channel against FakeDiscord")
struct DiscordChannelTests {
    static let alice = "100000000000000001"

    func makeChannel(
        _ fake: FakeDiscord, allowFrom: [String] = [alice], mentionOnly: Bool = false,
        log: LogRecorder, token: String? = nil
    ) -> DiscordChannel {
        DiscordChannel(
            options: DiscordOptions(
                token: token ?? fake.token, allowFrom: allowFrom, mentionOnly: mentionOnly, apiBase: fake.apiBase,
                perChannelRate: .unlimited, typingInterval: .seconds(8), timing: fastTiming, logger: log.logger()))
    }

    func started(
        heartbeatMS: Int = 41250, mentionOnly: Bool = false, allowFrom: [String] = [alice]
    )
        async throws -> (FakeDiscord, DiscordChannel, LogRecorder)
    {
        let fake = try await FakeDiscord.start(heartbeatIntervalMS: heartbeatMS)
        let log = LogRecorder()
        let channel = makeChannel(fake, allowFrom: allowFrom, mentionOnly: mentionOnly, log: log)
        try await channel.start()
        return (fake, channel, log)
    }

    @Test func identifiesWithIntentsAndHeartbeats() async throws {
        let (fake, channel, _) = try await started(heartbeatMS: 50)
        #expect(await channel.state == .connected)
        #expect(channel.botUserID == fake.botId)
        let identify = try #require(fake.lastIdentify)
        #expect(identify["d"]?["intents"]?.intValue == (1 << 9) | (1 << 12) | (1 << 15))
        #expect(identify["d"]?["properties"]?["browser"]?.stringValue == "picoclaw")
        #expect(fake.gatewayQueries.first == "v=10&encoding=json")
        try await fake.waitForHeartbeats(count: 3)
        #expect(fake.lastHeartbeatSeq.intValue != nil)  // the READY sequence number
        await channel.stop()
        try await fake.waitForDisconnect()
        #expect(await channel.state == .stopped)
        await fake.stop()
    }

    @Test func messagesAreFilteredMentionsStrippedAndRefusalsLogged() async throws {
        let (fake, channel, log) = try await started(mentionOnly: true)
        var inbound = channel.inbound.makeAsyncIterator()
        fake.dispatchMessageCreate(authorId: Self.alice, content: "no mention in a guild")
        fake.dispatchMessageCreate(authorId: "555", username: "bot2", bot: true, content: "beep", mentionsBot: true)
        fake.dispatchMessageCreate(authorId: fake.botId, username: "pico", content: "my own message", mentionsBot: true)
        fake.dispatchMessageCreate(authorId: "777", username: "eve", content: "let me in", mentionsBot: true)
        fake.dispatchMessageCreate(authorId: Self.alice, content: "what is up?", mentionsBot: true)
        let m = try await nextMessage(&inbound)
        #expect(m.text == "what is up?")
        #expect(m.mentionsBot)
        #expect(m.kind == .channel)
        #expect(m.guildID == "200000000000000001")
        #expect(m.chatID == "300000000000000001")
        #expect(m.channel == "discord")
        // DMs are always considered, even with mention_only.
        fake.dispatchMessageCreate(channelId: "400", guildId: nil, authorId: Self.alice, content: "a DM")
        let dm = try await nextMessage(&inbound)
        #expect(dm.text == "a DM")
        #expect(dm.kind == .direct)
        #expect(dm.replyTarget.replyToMessageID == nil)
        #expect(
            log.count(
                "refused message from user 777 (@eve). To allow them add \"777\" to channels.discord.allow_from (or PICOCLAW_CHANNELS_DISCORD_ALLOW_FROM=777)"
            ) == 1)
        await channel.stop()
        await fake.stop()
    }

    @Test func emptyAllowlistRefusesEveryone() async throws {
        let (fake, channel, log) = try await started(allowFrom: [])
        #expect(log.contains("discord: allow_from is empty, so nobody can talk to the bot"))
        fake.dispatchMessageCreate(authorId: Self.alice, content: "hello")
        try await eventually("refusal logged") { log.contains("refused message from user \(Self.alice)") }
        await channel.stop()
        var inbound = channel.inbound.makeAsyncIterator()
        #expect(await inbound.next() == nil)
        await fake.stop()
    }

    @Test func missingHeartbeatAckReconnectsAndResumes() async throws {
        let (fake, channel, log) = try await started(heartbeatMS: 40)
        var inbound = channel.inbound.makeAsyncIterator()
        let session = fake.currentSessionId
        fake.ackHeartbeats = false
        try await fake.waitForConnections(count: 2)
        fake.ackHeartbeats = true
        try await fake.waitForResume(count: 1)
        #expect(fake.lastResume?["d"]?["session_id"]?.stringValue == session)
        #expect(fake.identifyCount == 1)
        #expect(log.contains("no heartbeat ACK"))
        fake.dispatchMessageCreate(authorId: Self.alice, content: "still there?")
        #expect(try await nextMessage(&inbound).text == "still there?")
        try await eventually("connected") { await channel.state == .connected }
        await channel.stop()
        await fake.stop()
    }

    @Test func reconnectOpcodeAndDroppedConnectionResume() async throws {
        let (fake, channel, _) = try await started()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.sendReconnect()
        try await fake.waitForResume(count: 1)
        fake.dropConnection()
        try await fake.waitForResume(count: 2)
        fake.closeConnection(code: 4000)
        try await fake.waitForResume(count: 3)
        #expect(fake.identifyCount == 1)
        fake.dispatchMessageCreate(authorId: Self.alice, content: "after three reconnects")
        #expect(try await nextMessage(&inbound).text == "after three reconnects")
        await channel.stop()
        await fake.stop()
    }

    @Test func messagesMissedWhileDisconnectedAreReplayedOnResume() async throws {
        let (fake, channel, _) = try await started()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.dropConnection()
        fake.dispatchMessageCreate(authorId: Self.alice, content: "sent during the gap")
        try await fake.waitForResume(count: 1)
        #expect(try await nextMessage(&inbound).text == "sent during the gap")
        await channel.stop()
        await fake.stop()
    }

    @Test func invalidSessionReidentifiesOrResumes() async throws {
        let (fake, channel, _) = try await started()
        fake.sendInvalidSession(resumable: true)
        try await fake.waitForResume(count: 1)
        #expect(fake.identifyCount == 1)
        fake.sendInvalidSession(resumable: false)
        try await fake.waitForIdentify(count: 2)
        try await eventually("connected") { await channel.state == .connected }
        // A close that says the session is gone also re-identifies.
        fake.closeConnection(code: 4009, reason: "Session timed out.")
        try await fake.waitForIdentify(count: 3)
        await channel.stop()
        await fake.stop()
    }

    @Test func close4004IsFatalWithAClearMessage() async throws {
        let (fake, channel, log) = try await started()
        fake.closeConnection(code: 4004, reason: "Authentication failed.")
        try await eventually("failed") {
            if case .failed = await channel.state { return true }
            return false
        }
        #expect(
            await channel.state == .failed("Discord rejected the bot token (close 4004). Check channels.discord.token"))
        #expect(log.contains("Discord rejected the bot token (close 4004)"))
        let connections = fake.connectionCount
        try await Task.sleep(for: .milliseconds(100))
        #expect(fake.connectionCount == connections)  // no retry
        await channel.stop()
        await fake.stop()
    }

    @Test func close4014ExplainsTheIntent() async throws {
        let (fake, channel, _) = try await started()
        fake.closeConnection(code: 4014, reason: "Disallowed intent(s).")
        try await eventually("failed") {
            if case .failed(let reason) = await channel.state { return reason.contains("MESSAGE CONTENT INTENT") }
            return false
        }
        await channel.stop()
        await fake.stop()
    }

    @Test func badTokenFailsStart() async throws {
        let fake = try await FakeDiscord.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log, token: "wrong-token")
        await #expect(
            throws: ChannelError.authenticationFailed(
                "Discord rejected the bot token (HTTP 401). Check channels.discord.token")
        ) {
            try await channel.start()
        }
        #expect(!log.messages.contains { $0.contains("wrong-token") })
        #expect(
            await channel.state == .failed("Discord rejected the bot token (HTTP 401). Check channels.discord.token"))
        await #expect(
            throws: ChannelError.authenticationFailed(
                "Discord rejected the bot token (HTTP 401). Check channels.discord.token")
        ) {
            try await channel.start()
        }
        await channel.stop()
        await fake.stop()
    }

    @Test func tenThousandCharacterReplyIsSplitAt2000() async throws {
        let fake = try await FakeDiscord.start()
        let channel = makeChannel(fake, log: LogRecorder())
        var lines: [String] = []
        var i = 0
        while lines.joined(separator: "\n").count < 10_000 {
            lines.append("line \(i) 🎉 " + String(repeating: "x", count: 40))
            i += 1
        }
        let text = String(lines.joined(separator: "\n").prefix(10_000))
        try await channel.send(text, to: ReplyTarget(chatID: "300", replyToMessageID: "42"))
        let sent = fake.sentMessages
        #expect(sent.count >= 5)
        #expect(sent.allSatisfy { $0.content.unicodeScalars.count <= 2000 && $0.channelId == "300" })
        #expect(sent.first?.replyToMessageId == "42")
        #expect(sent.dropFirst().allSatisfy { $0.replyToMessageId == nil })
        let same = sent.map(\.content).joined(separator: "\n") == text
        #expect(same)
        await fake.stop()
    }

    @Test func rateLimitAndServerErrorsAreRetried() async throws {
        let fake = try await FakeDiscord.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        fake.failNext(route: "POST /channels/300/messages", status: 429, retryAfter: 2.5)
        fake.failNext(route: "POST /channels/300/messages", status: 502, count: 2)
        try await channel.send("hello", to: ReplyTarget(chatID: "300"))
        #expect(fake.sentMessages.map(\.content) == ["hello"])
        #expect(fake.restRequests.filter { $0.path.hasSuffix("/channels/300/messages") }.count == 4)
        fake.failNext(route: "POST /channels/300/messages", status: 429, retryAfter: 1, global: true)
        try await channel.send("global", to: ReplyTarget(chatID: "300"))
        fake.failNext(route: "POST /channels/300/messages", status: 503, count: 9)
        await #expect(throws: ChannelError.self) { try await channel.send("lost", to: ReplyTarget(chatID: "300")) }
        #expect(log.contains("failed to deliver reply to chat 300 after 5 attempts"))
        await fake.stop()
    }

    @Test func typingRepeatsUntilStopped() async throws {
        let fake = try await FakeDiscord.start()
        // Unscaled timing with a short interval: the indicator's safety limit stays at 300 s, so however slowly a
        // loaded machine makes the round trips, only the test's own timeout can end the wait.
        var options = DiscordOptions(token: fake.token, apiBase: fake.apiBase, typingInterval: .milliseconds(20))
        options.typingDelay = .zero
        let handle = try #require(DiscordChannel(options: options).startTyping(ReplyTarget(chatID: "300")))
        let calls = try await fake.waitForTypingCalls(count: 2, timeout: .seconds(60))
        handle.stop()
        await handle.ended()
        #expect(calls.allSatisfy { $0 == "300" })
        await fake.stop()
    }

    @Test func aReplyReadyWithinTheTypingDelaySendsNoTypingRequest() async throws {
        let fake = try await FakeDiscord.start()
        var options = DiscordOptions(token: fake.token, apiBase: fake.apiBase, typingInterval: .seconds(8))
        options.typingDelay = .seconds(60)  // the handle is stopped long before
        let handle = try #require(DiscordChannel(options: options).startTyping(ReplyTarget(chatID: "300")))
        handle.stop()
        await handle.ended()
        #expect(fake.typingCalls.isEmpty)
        await fake.stop()
    }
}
