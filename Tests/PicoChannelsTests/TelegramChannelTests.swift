import Logging
@testable import PicoChannels
import PicoFakes
import PicoSystem
import Testing

@Suite("Telegram channel against FakeTelegram")
struct TelegramChannelTests {
    func makeChannel(
        _ fake: FakeTelegram, allowFrom: [String] = ["1001"], mentionOnly: Bool = false,
        stateFile: String? = nil, log: LogRecorder, token: String? = nil
    ) -> TelegramChannel {
        TelegramChannel(
            options: TelegramOptions(
                token: token ?? fake.token, allowFrom: allowFrom, mentionOnly: mentionOnly, baseURL: fake.baseURL,
                stateFile: stateFile, pollTimeout: .seconds(2), globalRate: .unlimited, perChatRate: .unlimited,
                typingInterval: .seconds(4), timing: fastTiming, logger: log.logger()))
    }

    @Test func allowedSenderReachesInboundAndRefusedSenderIsLoggedOnce() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        try await channel.start()
        #expect(await channel.state == .connected)
        var inbound = channel.inbound.makeAsyncIterator()
        fake.enqueueTextMessage(from: 2002, username: "mallory", text: "let me in")
        fake.enqueueTextMessage(from: 2002, username: "mallory", text: "please")
        fake.enqueueTextMessage(from: 1001, username: "alice", text: "hello bot")
        let m = try await nextMessage(&inbound)
        #expect(m.text == "hello bot")
        #expect(m.senderID == "1001")
        #expect(m.username == "alice")
        #expect(m.chatID == "1001")
        #expect(m.kind == .direct)
        #expect(m.channel == "telegram")
        #expect(log.count("refused message from user 2002 (@mallory). To allow them") == 1)
        #expect(
            log.contains(
                "To allow them add \"2002\" to channels.telegram.allow_from (or PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM=2002)"
            ))
        #expect(!log.messages.contains { $0.contains("let me in") || $0.contains(fake.token) })
        await channel.stop()
        #expect(await channel.state == .stopped)
        await fake.stop()
    }

    @Test func emptyAllowlistAllowsNobodyAndSaysWhatToAdd() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, allowFrom: [], log: log)
        try await channel.start()
        #expect(
            log.contains(
                "telegram: allow_from is empty, so nobody can talk to the bot. Add your numeric user id: PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM=<id>"
            ))
        fake.enqueueTextMessage(from: 1001, text: "hi")
        try await fake.waitForUpdatesConfirmed()
        try await eventually("refusal logged") { log.contains("refused message from user 1001") }
        await channel.stop()
        // Nothing was handed to the consumer: the stream just ends.
        var inbound = channel.inbound.makeAsyncIterator()
        #expect(await inbound.next() == nil)
        await fake.stop()
    }

    @Test func usernameEntryIsAcceptedAsWeakMatch() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, allowFrom: ["@Alice"], log: log)
        try await channel.start()
        #expect(log.contains("username entries (@alice)"))
        var inbound = channel.inbound.makeAsyncIterator()
        fake.enqueueTextMessage(from: 1001, username: "alice", text: "one")
        fake.enqueueTextMessage(from: 1001, username: "alice", text: "two")
        #expect(try await nextMessage(&inbound).text == "one")
        #expect(try await nextMessage(&inbound).text == "two")
        #expect(log.count("allowed user 1001 (@alice) by username only") == 1)
        await channel.stop()
        await fake.stop()
    }

    @Test func badTokenIsAClearFatalError() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log, token: "999:wrong-token")
        await #expect(throws: ChannelError.self) { try await channel.start() }
        guard case .failed(let reason) = await channel.state else {
            Issue.record("expected .failed")
            return
        }
        #expect(reason.contains("Telegram rejected the bot token"))
        // A supervisor may try again later: the same clear error, not "already started".
        await #expect(throws: ChannelError.authenticationFailed(reason)) { try await channel.start() }
        #expect(!log.messages.contains { $0.contains("wrong-token") })
        await channel.stop()
        await fake.stop()
    }

    @Test func longReplyIsSplitWithinTheLimitAndReassembles() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        var paragraphs: [String] = []
        for i in 0..<100 { paragraphs.append("Paragraph \(i): " + String(repeating: "word ", count: 18) + "end.") }
        let text = paragraphs.joined(separator: "\n\n")
        #expect(text.count > 10_000)
        try await channel.send(text, to: ReplyTarget(chatID: "1001"))
        let sent = fake.sentMessages
        #expect(sent.count >= 3)
        for m in sent {
            #expect(m.text.utf16.count <= 4096)
            #expect(m.chatId == 1001)
            #expect(m.parseMode == "HTML")
        }
        let rejoined = sent.map(\.text).joined(separator: "\n\n")
        let same = rejoined == text
        #expect(same)
        await fake.stop()
    }

    @Test func rateLimitedSendWaitsRetryAfterAndDelivers() async throws {
        let fake = try await FakeTelegram.start()
        let channel = makeChannel(fake, log: LogRecorder())
        fake.failNext(method: "sendMessage", status: 429, retryAfter: 3)
        try await channel.send("hello", to: ReplyTarget(chatID: "1001"))
        #expect(fake.sentMessages.map(\.text) == ["hello"])
        #expect(fake.calls.filter { $0.method == "sendMessage" }.count == 2)
        await fake.stop()
    }

    @Test func serverErrorBurstIsRetriedWithBackoff() async throws {
        let fake = try await FakeTelegram.start()
        let channel = makeChannel(fake, log: LogRecorder())
        fake.failNext(method: "sendMessage", status: 502, count: 3)
        try await channel.send("after the storm", to: ReplyTarget(chatID: "1001"))
        #expect(fake.sentMessages.map(\.text) == ["after the storm"])
        #expect(fake.calls.filter { $0.method == "sendMessage" }.count == 4)
        await fake.stop()
    }

    @Test func persistentFailureIsLoggedWithChatIDAndThrown() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        fake.failNext(method: "sendMessage", status: 500, count: 10)
        await #expect(throws: ChannelError.self) {
            try await channel.send("doomed", to: ReplyTarget(chatID: "4242"))
        }
        #expect(log.contains("failed to deliver reply to chat 4242 after 5 attempts"))
        #expect(fake.calls.filter { $0.method == "sendMessage" }.count == 5)
        await fake.stop()
    }

    @Test func clientErrorIsNotRetried() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        fake.failNext(method: "sendMessage", status: 403)
        await #expect(throws: ChannelError.self) { try await channel.send("hi", to: ReplyTarget(chatID: "7")) }
        #expect(fake.calls.filter { $0.method == "sendMessage" }.count == 1)
        #expect(log.contains("failed to deliver reply to chat 7 after 1 attempts"))
        await fake.stop()
    }

    @Test func rejectedFormattingFallsBackToPlainText() async throws {
        let fake = try await FakeTelegram.start()
        let channel = makeChannel(fake, log: LogRecorder())
        fake.failNext(
            method: "sendMessage", status: 400,
            description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")
        try await channel.send("**bold** and `code`", to: ReplyTarget(chatID: "1001"))
        let sent = fake.sentMessages
        #expect(sent.count == 1)
        #expect(sent.first?.parseMode == nil)
        #expect(sent.first?.text == "**bold** and `code`")
    }

    @Test func formattingIsSentAsHTML() async throws {
        let fake = try await FakeTelegram.start()
        let channel = makeChannel(fake, log: LogRecorder())
        try await channel.send("**Hi** <you> & `a<b`\n```swift\nlet x = 1 < 2\n```", to: ReplyTarget(chatID: "1001"))
        let sent = try #require(fake.sentMessages.first)
        #expect(sent.parseMode == "HTML")
        #expect(
            sent.text
                == "<b>Hi</b> &lt;you&gt; &amp; <code>a&lt;b</code>\n<pre><code class=\"language-swift\">let x = 1 &lt; 2</code></pre>"
        )
        await fake.stop()
    }

    @Test func malformedJSONAndDroppedLongPollAreSurvived() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.malformedNext(method: "getUpdates")
        // libcurl transparently retries a request whose reused connection died before any response, so drop
        // twice to make the failure reach the channel.
        fake.dropConnectionNext(method: "getUpdates", after: .milliseconds(50), count: 2)
        fake.enqueueTextMessage(from: 1001, text: "first")
        #expect(try await nextMessage(&inbound).text == "first")
        fake.enqueueTextMessage(from: 1001, text: "second")
        #expect(try await nextMessage(&inbound).text == "second")
        try await eventually("both failures hit") {
            log.contains("malformed reply") && log.count("polling failed") >= 2
        }
        #expect(await channel.state == .connected)
        await channel.stop()
        await fake.stop()
    }

    @Test func restartNeitherLosesNorRepeatsMessages() async throws {
        let fake = try await FakeTelegram.start()
        let tmp = TempDir("picoclaw-channels")
        defer { tmp.remove() }
        let stateFile = tmp.at("state/telegram-offset.json")
        let first = makeChannel(fake, stateFile: stateFile, log: LogRecorder())
        try await first.start()
        let ids = (1...3).map { fake.enqueueTextMessage(from: 1001, text: "message \($0)") }
        var inbound = first.inbound.makeAsyncIterator()
        #expect(try await nextMessage(&inbound).text == "message 1")
        // The second message is waiting for a consumer when the process goes away.
        try await eventually("offset persisted") {
            (try? StateFile.read(stateFile)).flatMap { $0 }.flatMap { try? TelegramOffsetStore.parse($0) }
                == Int64(ids[0] + 1)
        }
        await first.stop()
        #expect(TempDir.mode(stateFile) == 0o600)
        #expect(TempDir.mode(Directories.parent(of: stateFile)) == 0o700)

        let second = makeChannel(fake, stateFile: stateFile, log: LogRecorder())
        try await second.start()
        var inbound2 = second.inbound.makeAsyncIterator()
        #expect(try await nextMessage(&inbound2).text == "message 2")
        #expect(try await nextMessage(&inbound2).text == "message 3")
        try await fake.waitForUpdatesConfirmed()
        #expect(fake.getUpdatesCalls.contains { $0.offset == ids[0] + 1 })
        await second.stop()

        // A third start sees nothing old again.
        let third = makeChannel(fake, stateFile: stateFile, log: LogRecorder())
        try await third.start()
        fake.enqueueTextMessage(from: 1001, text: "message 4")
        var inbound3 = third.inbound.makeAsyncIterator()
        #expect(try await nextMessage(&inbound3).text == "message 4")
        await third.stop()
        await fake.stop()
    }

    @Test func groupMentionsAndRepliesWithMentionOnly() async throws {
        let fake = try await FakeTelegram.start()
        let channel = makeChannel(fake, mentionOnly: true, log: LogRecorder())
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.enqueueTextMessage(from: 1001, chatId: -100_555, chatType: "supergroup", text: "just chatting")
        fake.enqueueTextMessage(
            from: 1001, chatId: -100_555, chatType: "supergroup", text: "@Pico_Test_Bot what time is it?")
        let m = try await nextMessage(&inbound)
        #expect(m.text == "what time is it?")
        #expect(m.mentionsBot)
        #expect(m.kind == .group)
        #expect(m.chatID == "-100555")
        fake.enqueueTextMessage(
            from: 1001, chatId: -100_555, chatType: "supergroup", text: "and tomorrow?", replyToBotMessage: true)
        let r = try await nextMessage(&inbound)
        #expect(r.text == "and tomorrow?")
        #expect(r.mentionsBot)
        #expect(r.replyToMessageID != nil)
        try await channel.send("It is noon.", to: m.replyTarget)
        let sent = try #require(fake.sentMessages.first)
        #expect(sent.replyToMessageId == Int(m.messageID))
        #expect(sent.chatId == -100_555)
        await channel.stop()
        await fake.stop()
    }

    @Test func otherUpdateKindsAreIgnored() async throws {
        let fake = try await FakeTelegram.start()
        let channel = makeChannel(fake, log: LogRecorder())
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.enqueueRawUpdate([
            "edited_message": ["message_id": 5, "chat": ["id": 1001, "type": "private"], "date": 0, "text": "edited"]
        ])
        fake.enqueueRawUpdate([
            "callback_query": ["id": "cb1", "from": ["id": 1001, "is_bot": false, "first_name": "A"], "data": "x"]
        ])
        fake.enqueueRawUpdate([
            "message": [
                "message_id": 6, "from": ["id": 1001, "is_bot": false, "first_name": "A"],
                "chat": ["id": 1001, "type": "private"], "date": 0,
                "sticker": ["file_id": "abc", "width": 1, "height": 1],
            ]
        ])
        fake.enqueueRawUpdate(["message": ["message_id": "not-a-number", "chat": "garbage"]])
        fake.enqueueRawUpdate(["my_chat_member": ["chat": ["id": 1001, "type": "private"]]])
        fake.enqueueTextMessage(from: 1001, text: "real text")
        #expect(try await nextMessage(&inbound).text == "real text")
        await channel.stop()
        await fake.stop()
    }

    @Test func typingIndicatorRepeatsUntilStopped() async throws {
        let fake = try await FakeTelegram.start()
        // Unscaled timing with a short interval: the indicator's safety limit stays at 300 s, so however slowly a
        // loaded machine makes the round trips, only the test's own timeout can end the wait.
        var options = TelegramOptions(
            token: fake.token, allowFrom: ["1001"], baseURL: fake.baseURL, globalRate: .unlimited,
            perChatRate: .unlimited, typingInterval: .milliseconds(20), logger: LogRecorder().logger())
        options.typingDelay = .zero
        let handle = try #require(TelegramChannel(options: options).startTyping(ReplyTarget(chatID: "1001")))
        let actions = try await fake.waitForChatActions(count: 3, timeout: .seconds(60))
        handle.stop()
        await handle.ended()
        #expect(actions.allSatisfy { $0.action == "typing" && $0.chatId == 1001 })
        await fake.stop()
    }

    @Test func aReplyReadyWithinTheTypingDelaySendsNoTypingRequest() async throws {
        let fake = try await FakeTelegram.start()
        var options = TelegramOptions(
            token: fake.token, allowFrom: ["1001"], baseURL: fake.baseURL, globalRate: .unlimited,
            perChatRate: .unlimited, typingInterval: .seconds(4), logger: LogRecorder().logger())
        options.typingDelay = .seconds(60)  // unscaled: the handle is stopped long before
        let channel = TelegramChannel(options: options)
        let quick = try #require(channel.startTyping(ReplyTarget(chatID: "1001")))
        quick.stop()
        await quick.ended()
        #expect(fake.calls.filter { $0.method == "sendChatAction" }.isEmpty)

        // A slower turn: the indicator comes after a (short) delay and repeats; unscaled timing keeps the 300 s
        // safety limit out of reach of a slow machine.
        var slowOptions = options
        slowOptions.typingDelay = .milliseconds(15)
        slowOptions.typingInterval = .milliseconds(20)
        let slow = try #require(TelegramChannel(options: slowOptions).startTyping(ReplyTarget(chatID: "1001")))
        let actions = try await fake.waitForChatActions(count: 2, timeout: .seconds(60))
        slow.stop()
        await slow.ended()
        #expect(actions.allSatisfy { $0.action == "typing" && $0.chatId == 1001 })
        await fake.stop()
    }
}
