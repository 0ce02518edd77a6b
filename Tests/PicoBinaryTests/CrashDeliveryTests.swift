import Glibc
import PicoFakes
import PicoHTTP
import Testing

/// At-least-once delivery with the real binary: kill -9 at random moments, SIGTERM with turns in flight.
/// Every message gets exactly one reply, in order per chat; the only duplicate allowed is a reply Telegram
/// accepted just before the kill (its acknowledgement was lost), which is then sent once more after the restart.
@Suite("delivery survives crashes", .serialized)
struct CrashDeliveryTests {
    /// Rounds of the kill -9 test: 20 (about 4 s each, paced by Telegram's 20/s send limit);
    /// `PICOCLAW_CRASH_ROUNDS=N` to change it while iterating.
    static var rounds: Int { getenv("PICOCLAW_CRASH_ROUNDS").flatMap { Int(String(cString: $0)) } ?? 20 }

    @Test func killNineAtRandomMomentsLosesNothingAndRepeatsNothing() async throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<Self.rounds {
            try await crashRound(round, seed: generator.next())
        }
    }

    private func crashRound(_ round: Int, seed: UInt64) async throws {
        var rng = SplitMix(seed: seed)
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        // A few milliseconds per turn, so kills land in every phase: polling, the turn, the commit, the send.
        llm.setResponder { request in .delay(Int.random(in: 0...8), then: .text("re: \(request.lastUserText ?? "")")) }
        let chats = Array(5001...5025)
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: chats)
        var expected: [Int: [String]] = [:]
        for n in 0..<4 {
            for chat in chats {
                let text = "c\(chat)-m\(n)"
                telegram.enqueueTextMessage(from: chat, text: text)
                expected[chat, default: []].append("re: " + text)
            }
        }
        let total = chats.count * 4
        // Per kill: when the killed process was reaped (the restart) and when the new one answered /health.
        var restarts: [(reaped: ContinuousClock.Instant, healthy: ContinuousClock.Instant)] = []
        var killedLogs = ""  // the killed gateways' logs, kept for a timeout's report
        let start = ContinuousClock.now
        #expect(run.start())
        for _ in 0..<3 {
            #expect(await run.waitFor("/health", status: 200) != nil, "round \(round): not healthy: \(run.log)")
            if !restarts.isEmpty { restarts[restarts.count - 1].healthy = .now }
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...1500, using: &rng)))
            if telegram.sentMessageCount >= total { break }
            #expect(await run.stop(SIGKILL) == 128 + SIGKILL)
            let reaped = ContinuousClock.now  // one instant for both, so the check below sees "not yet healthy"
            restarts.append((reaped, reaped))
            killedLogs += run.log + "--- killed ---\n"
            #expect(run.start())
        }
        if let last = restarts.last, last.healthy == last.reaped {
            #expect(await run.waitFor("/health", status: 200) != nil)
            restarts[restarts.count - 1].healthy = .now
        }
        // Every message answered at least once (a count would be reached early: a lost acknowledgement's copy counts).
        let expectedTexts = Set(expected.values.joined())
        do {
            try await eventually("every message of round \(round) answered", timeout: .seconds(60)) {
                Set(telegram.sentMessages(from: 0).map(\.message.text)).isSuperset(of: expectedTexts)
            }
        } catch {
            let state = keepForDiagnosis(run, telegram, expected: expected, killedLogs: killedLogs, round: round)
            Issue.record("round \(round): \(error); \(state); the last gateway's log ends: \(run.log.suffix(6000))")
            _ = await run.stop(SIGKILL)
            return
        }
        // A graceful stop waits for what is in flight: a stray duplicate (there must be none beyond the allowed kind)
        // has arrived before counting.
        #expect(await run.stop() == 0)
        let sent = telegram.sentMessages(from: 0)
        var duplicates = 0
        var kept: String?  // the round's files, kept once for the report of an unexplained duplicate
        for chat in chats {
            let replies = sent.filter { $0.message.chatId == chat }
            var collapsed: [String] = []
            var previous: (text: String, at: ContinuousClock.Instant)?
            for reply in replies {
                if let previous, previous.text == reply.message.text {
                    // Allowed only when a crash came between the two copies (the acknowledgement was lost): the
                    // first reached the fake before the new process was up (a request the killed process sent
                    // may be handled a little after it was reaped, on a loaded machine), the second after the
                    // killed process was gone.
                    let straddles = restarts.contains { previous.at < $0.healthy && reply.at > $0.reaped }
                    if !straddles {
                        let files =
                            kept
                            ?? keepForDiagnosis(run, telegram, expected: expected, killedLogs: killedLogs, round: round)
                        let resends = (killedLogs + run.log).split(separator: "\n").filter {
                            $0.contains("turn done") && $0.contains(" chat=\(chat) ") && $0.contains("resent=true")
                        }
                        kept = files
                        Issue.record(
                            "round \(round) chat \(chat): '\(reply.message.text)' sent twice without a crash in between: copies at \(start.duration(to: previous.at)) and \(start.duration(to: reply.at)) after the round began, restarts (reaped, healthy) \(restarts.map { (start.duration(to: $0.reaped), start.duration(to: $0.healthy)) }); the gateways logged \(resends.count) resend(s) to this chat; \(files)"
                        )
                    }
                    duplicates += 1
                } else {
                    collapsed.append(reply.message.text)
                }
                previous = (reply.message.text, reply.at)
            }
            #expect(collapsed == expected[chat], "round \(round) chat \(chat): replies \(collapsed)")
        }
        // At most one lost acknowledgement per turn in flight at each kill (4 run at once).
        #expect(
            duplicates <= restarts.count * 4, "round \(round): \(duplicates) duplicates for \(restarts.count) kills")
        run.expectNoSecrets()
    }

    @Test func sigtermWithFiftyTurnsInFlightAnswersAllAfterTheRestart() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setResponder { request in .delay(400, then: .text("re: \(request.lastUserText ?? "")")) }
        let chats = Array(6001...6050)
        let run = GatewayRun(environment: ["PICOCLAW_GATEWAY_SHUTDOWN_GRACE_SECONDS": "1"])
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: chats)
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        for chat in chats { telegram.enqueueTextMessage(from: chat, text: "hello \(chat)") }
        // Stop while turns run and most are still queued.
        _ = try await llm.waitForRequests(count: 6, timeout: .seconds(20))
        #expect(await run.stop(SIGTERM) == 0)
        let before = telegram.sentMessageCount
        #expect(before < chats.count, "everything was answered before SIGTERM; the test proves nothing")
        #expect(run.log.contains("left "), "no pending summary: \(run.log)")
        #expect(run.log.contains("pending in the inbox"))
        #expect(!run.log.contains("provider_error"))
        // After the restart every message is answered, exactly once.
        #expect(run.start())
        try await telegram.waitForSentMessageCount(chats.count, timeout: .seconds(60))
        // A graceful stop waits for what is in flight: a stray duplicate would have arrived before counting.
        #expect(await run.stop() == 0)
        let sent = telegram.sentMessages(from: 0).map(\.message)
        #expect(sent.count == chats.count)
        for chat in chats {
            #expect(sent.filter { $0.chatId == chat }.map(\.text) == ["re: hello \(chat)"])
        }
        run.expectNoSecrets()
    }
}

extension CrashDeliveryTests {
    /// What a timed-out round left, for its report: the replies missing, the updates the gateway never confirmed,
    /// its last `getUpdates` offsets, and a copy of the round's files (the state database, every gateway's log).
    private func keepForDiagnosis(
        _ run: GatewayRun, _ telegram: FakeTelegram, expected: [Int: [String]], killedLogs: String, round: Int
    ) -> String {
        let sent = Set(telegram.sentMessages(from: 0).map(\.message.text))
        let missing = expected.values.joined().filter { !sent.contains($0) }.sorted()
        let offsets = telegram.getUpdatesCalls.suffix(8).map { $0.offset.map(String.init) ?? "none" }
        run.dir.write("killed-gateways.log", killedLogs)
        let kept = "/tmp/picoclaw-crash-round\(round)-\(getpid())"
        _ = system("cp -a '\(run.dir.path)' '\(kept)'")
        return
            "\(missing.count) replies missing (\(missing.prefix(8).joined(separator: ", "))), \(telegram.pendingUpdateCount) updates unconfirmed, last getUpdates offsets \(offsets), files kept in \(kept)"
    }

    @Test func aMessageWhoseTurnKeepsDyingIsGivenUpWithANoticeAndTheChatMovesOn() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        // "poison" never gets an answer in time: the gateway is killed during its turn, again and again.
        llm.setResponder { request in
            request.lastUserText == "poison"
                ? .delay(60_000, then: .text("too late")) : .text("re: \(request.lastUserText ?? "")")
        }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        telegram.enqueueTextMessage(from: 4242, text: "poison")
        telegram.enqueueTextMessage(from: 4242, text: "after")
        for attempt in 1...5 {
            #expect(run.start())
            _ = try await llm.waitForRequests(count: attempt, timeout: .seconds(20))
            #expect(await run.stop(SIGKILL) == 128 + SIGKILL)
        }
        #expect(run.start())
        try await telegram.waitForSentMessageCount(2, timeout: .seconds(20))
        let texts = telegram.sentMessages(from: 0).map(\.message.text)
        #expect(texts.count == 2)
        #expect(texts.first?.hasPrefix("Sorry — I could not process that message") == true, "\(texts)")
        #expect(texts.last == "re: after")
        #expect(await run.stop() == 0)
    }
}

/// A small seeded generator, so a failing round's kill timing can be reproduced from the logged seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
