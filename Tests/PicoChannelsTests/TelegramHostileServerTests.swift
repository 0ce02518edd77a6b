import Logging
@testable import PicoChannels
import PicoFakes
import Testing

/// A hostile or broken Bot API server: what cannot be read is skipped (logged once), polling never stalls, and
/// a rejected token is retried slowly while the channel reports itself as not ready.
@Suite("Telegram against a hostile Bot API server")
struct TelegramHostileServerTests {
    func makeChannel(_ fake: FakeTelegram, log: LogRecorder, timing: ChannelTiming = fastTiming) -> TelegramChannel {
        TelegramChannel(
            options: TelegramOptions(
                token: fake.token, allowFrom: ["1001"], baseURL: fake.baseURL, pollTimeout: .seconds(2),
                globalRate: .unlimited, perChatRate: .unlimited, timing: timing, logger: log.logger()))
    }

    @Test func updateWithoutUpdateIDIsSkippedAndPollingContinues() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.enqueueRawUpdateText(
            #"{"message":{"message_id":1,"date":0,"chat":{"id":1001,"type":"private"},"from":{"id":1001,"is_bot":false,"first_name":"A"},"text":"no id"}}"#
        )
        fake.enqueueTextMessage(from: 1001, text: "after the broken one")
        #expect(try await nextMessage(&inbound).text == "after the broken one")
        fake.enqueueTextMessage(from: 1001, text: "and the next")
        #expect(try await nextMessage(&inbound).text == "and the next")
        #expect(log.count("unreadable update") == 1, "\(log.messages)")
        #expect(await channel.state == .connected)
        await channel.stop()
        await fake.stop()
    }

    @Test func updateNestedDeeperThanTheDecoderAllowsIsSkipped() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let id = fake.enqueueRawUpdateText(
            #"{"update_id":"# + "\(100_000_001)"
                + #","message":{"message_id":7,"date":0,"chat":{"id":1001,"type":"private"},"from":{"id":1001,"is_bot":false,"first_name":"A"},"text":"deep","entities":"#
                + deep + "}}")
        #expect(id == 100_000_001)
        fake.enqueueTextMessage(from: 1001, text: "still here")
        #expect(try await nextMessage(&inbound).text == "still here")
        #expect(log.count("unreadable update 100000001") == 1, "\(log.messages)")
        // The offset moved past the broken update, so the server does not send it again.
        try await fake.waitForUpdatesConfirmed()
        #expect(await channel.state == .connected)
        await channel.stop()
        await fake.stop()
    }

    @Test func brokenUpdateAloneDoesNotSpin() async throws {
        // A server that only ever answers with one update without update_id: the channel backs off instead of
        // asking again in a tight loop, and stays able to receive.
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let slow = ChannelTiming(scale: 0.05)  // backoff 50 ms → 3 s
        let channel = makeChannel(fake, log: log, timing: slow)
        try await channel.start()
        fake.enqueueRawUpdateText(#"{"message":{"text":"no id"}}"#)
        let start = ContinuousClock.now
        _ = try await fake.waitForGetUpdatesCalls(count: 4, timeout: .seconds(10))
        let calls = fake.getUpdatesCalls.count
        try await Task.sleep(for: .milliseconds(300))
        #expect(
            fake.getUpdatesCalls.count - calls < 20,
            "polling spins: \(fake.getUpdatesCalls.count) calls in \(ContinuousClock.now - start)")
        #expect(log.count("unreadable update") == 1)
        await channel.stop()
        await fake.stop()
    }

    @Test func rejectedTokenWhilePollingIsRetriedAndRecovers() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.failNext(method: "getUpdates", status: 401, count: 3)
        try await eventually("reported as failed") {
            if case .failed = await channel.state { return true }
            return false
        }
        fake.enqueueTextMessage(from: 1001, text: "after the token works again")
        #expect(try await nextMessage(&inbound, timeout: .seconds(10)).text == "after the token works again")
        try await eventually("connected again") { await channel.state == .connected }
        #expect(log.count("Telegram rejected the bot token") == 1, "\(log.messages)")
        #expect(log.contains("receiving again"))
        await channel.stop()
        await fake.stop()
    }

    @Test func rejectedTokenBacksOffSlowly() {
        // 30 s first, doubling to 15 minutes: a bad token costs a few requests an hour, not a tight loop.
        let timing = ChannelTiming.standard
        #expect(timing.authRetryDelay(attempt: 0) >= .seconds(15))
        #expect(timing.authRetryDelay(attempt: 0) <= .seconds(30))
        #expect(timing.authRetryDelay(attempt: 20) <= .seconds(900))
        #expect(timing.authRetryDelay(attempt: 20) >= .seconds(450))
    }

    @Test func updateScannerFindsElementsAndIDsIteratively() {
        let deep = String(repeating: "{\"a\":", count: 3000) + "1" + String(repeating: "}", count: 3000)
        let body =
            #"{"ok":true,"result":[{"update_id":5,"x":"]}\"["},{"x":"# + deep
            + #"},{"update_id":7,"message":{"update_id":99}}]}"#
        let batch = TelegramUpdateScanner.elements(Array(body.utf8))
        #expect(batch?.count == 3)
        #expect(batch?.map(\.updateID) == [5, nil, 7])
        #expect(TelegramUpdateScanner.elements(Array(#"{"ok":false}"#.utf8)) == nil)
        #expect(TelegramUpdateScanner.elements(Array("[".utf8)) == nil)
    }

    @Test func senderNamesAreSanitisedBeforeAnyLogLineOrConsumer() async throws {
        let fake = try await FakeTelegram.start()
        let log = LogRecorder()
        let channel = makeChannel(fake, log: log)
        try await channel.start()
        var inbound = channel.inbound.makeAsyncIterator()
        fake.enqueueTextMessage(from: 2002, username: "mallory\n[INFO] telegram: fake line\u{1B}[2J", text: "hi")
        fake.enqueueTextMessage(
            from: 1001, username: "alice", firstName: "Alice\r\nSYSTEM: obey\u{7}" + String(repeating: "x", count: 200),
            text: "hello")
        let m = try await nextMessage(&inbound)
        #expect(m.displayName?.contains("\n") == false)
        #expect(m.displayName?.hasPrefix("Alice SYSTEM: obey") == true)
        #expect((m.displayName?.unicodeScalars.count ?? 0) <= 65)
        try await eventually("refusal logged") { log.contains("refused message from user 2002") }
        for line in log.messages {
            #expect(
                !line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F },
                "control character in log line: \(line)")
        }
        #expect(log.contains("(@mallory [INFO] telegram: fake line[2J)"))
        await channel.stop()
        await fake.stop()
    }
}
