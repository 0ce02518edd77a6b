import Glibc
import PicoFakes
import PicoHTTP
import Testing

/// Pairing, per-sender limits, `/usage`, `/metrics` and `picoclaw status` through the real binary and fakes.
@Suite("owner controls", .serialized)
struct OwnerControlsTests {
    static let owner = 4242

    /// Fake LLM (echoing the last user text), fake Telegram allowing `allowFrom`, and a gateway run wired to both.
    static func echoRun(
        _ environment: [String: String], allowFrom: [Int]
    ) async throws -> (FakeOpenAI, FakeTelegram, GatewayRun) {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        llm.setResponder { request in .text("echo: \(request.lastUserText ?? "")") }
        let run = GatewayRun(environment: environment)
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: allowFrom)
        return (llm, telegram, run)
    }

    /// The pairing code in a message, if any (8 characters of the unambiguous alphabet).
    static func code(in text: String) -> String? {
        let alphabet = Set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        for word in text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        where word.count == 8 && word.allSatisfy({ alphabet.contains($0) }) {
            return String(word)
        }
        return nil
    }

    @Test func strangerPairsThroughTheOwnerAndRepeatedStrangersGetNothingMore() async throws {
        let (llm, telegram, run) = try await OwnerControlsTests.echoRun(
            ["PICOCLAW_CHANNELS_TELEGRAM_DM_POLICY": "pairing"], allowFrom: [Self.owner])
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")

        // A stranger's DM gets a code; the owner is told.
        telegram.enqueueTextMessage(from: 5001, username: "stranger", text: "hello?")
        let first = try await telegram.waitForSentMessages(count: 2, timeout: .seconds(10))
        let toStranger = try #require(first.first { $0.chatId == 5001 })
        let toOwner = try #require(first.first { $0.chatId == Self.owner })
        let code = try #require(Self.code(in: toStranger.text), "no code in \(toStranger.text)")
        #expect(toOwner.text.contains(code) && toOwner.text.contains("5001"))

        // The same stranger again: no new code, no answer. Two more strangers fill the 3 pending codes; a fourth
        // gets nothing. A group message from a stranger never pairs.
        telegram.enqueueTextMessage(from: 5001, username: "stranger", text: "hello again?")
        #expect(await run.waitForLog("already has a code; not answering"))
        telegram.enqueueTextMessage(from: 5002, username: "s2", text: "hi")
        telegram.enqueueTextMessage(from: 5003, username: "s3", text: "hi")
        _ = try await telegram.waitForSentMessages(count: 6, timeout: .seconds(10))
        telegram.enqueueTextMessage(from: 5004, username: "s4", text: "hi")
        #expect(await run.waitForLog("has 3 pending codes"))
        telegram.enqueueTextMessage(
            from: 5005, username: "s5", chatId: -100777, chatType: "supergroup", text: "hi group")
        #expect(await run.waitForLog("refused message from user 5005"))
        #expect(telegram.sentMessages.count == 6)
        #expect(!telegram.sentMessages.contains { $0.chatId == 5004 || $0.chatId == -100777 })
        #expect(llm.requests.isEmpty, "a stranger reached the model")

        // A non-owner cannot approve; the owner approves from chat.
        let code2 = try #require(telegram.sentMessages.first { $0.chatId == 5002 }.flatMap { Self.code(in: $0.text) })
        telegram.enqueueTextMessage(from: Self.owner, username: "owner", text: "/pair approve \(code.lowercased())")
        let afterApprove = try await telegram.waitForSentMessages(count: 8, timeout: .seconds(10))
        #expect(
            afterApprove.contains {
                $0.chatId == Self.owner && $0.text.contains("Approved") && $0.text.contains("5001")
            })
        #expect(afterApprove.contains { $0.chatId == 5001 && $0.text.contains("paired") })

        // The paired stranger is answered by the agent.
        telegram.enqueueTextMessage(from: 5001, username: "stranger", text: "now?")
        let answered = try await telegram.waitForSentMessages(count: 9, timeout: .seconds(10))
        #expect(answered.last?.chatId == 5001 && answered.last?.text == "echo: now?")

        // The CLI lists, approves (while the gateway runs) and revokes.
        let list = try #require(await run.cli(["pairing", "list", "--json"]))
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(code2) && list.stdout.contains("\"5001\"") && !list.stdout.contains(code))
        let approve = try #require(await run.cli(["pairing", "approve", code2]))
        #expect(approve.status == 0 && approve.stdout.contains("5002"), "\(approve.stderr)")
        #expect(await run.cli(["pairing", "approve", "ZZZZZZZZ"])?.status == 1)
        telegram.enqueueTextMessage(from: 5002, username: "s2", text: "me too")
        let second = try await telegram.waitForSentMessages(count: 10, timeout: .seconds(10))
        #expect(second.last?.chatId == 5002 && second.last?.text == "echo: me too")
        let revoke = try #require(await run.cli(["pairing", "revoke", "telegram:5001"]))
        #expect(revoke.status == 0, "\(revoke.stderr)")
        telegram.enqueueTextMessage(from: 5001, username: "stranger", text: "still there?")
        #expect(await run.waitForLog("pairing: telegram user 5001 (@stranger) already has a code"))

        // Status and the audit list the paired ids (the same resolved policy).
        let status = try #require(await run.cli(["status", "--json"]))
        let json = try #require(JSONValue.parse(status.stdout), "\(status.stdout)\n\(status.stderr)")
        let channel = json["channels"]?.arrayValue?.first { $0["name"]?.stringValue == "telegram" }
        #expect(channel?["paired"] == .array([.string("5002")]))
        #expect(channel?["owners"] == .array([.string("4242")]))
        #expect(json["gateway"]?["running"] == .bool(true))
        #expect(status.status == (json["degraded"] == .bool(true) ? 1 : 0))
        let audit = try #require(await run.cli(["security", "audit", "--json"]))
        #expect(audit.stdout.contains("channels.telegram.paired") && audit.stdout.contains("5002"))

        #expect(await run.stop() == 0)
        run.expectNoSecrets(in: [list.stdout, status.stdout, audit.stdout])
    }

    @Test func senderOverBudgetIsRefusedOnceTheOwnerIsToldAndCountersSurviveARestart() async throws {
        // Any model call uses more than 10 tokens (the fake reports the request size), so one turn spends it.
        let (llm, telegram, run) = try await OwnerControlsTests.echoRun(
            ["PICOCLAW_LIMITS_TOKENS_PER_DAY": "10"], allowFrom: [Self.owner, 6001])
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")

        telegram.enqueueTextMessage(from: 6001, username: "friend", text: "first")
        #expect(try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10)).last?.text == "echo: first")
        telegram.enqueueTextMessage(from: 6001, username: "friend", text: "second")
        let refused = try await telegram.waitForSentMessages(count: 3, timeout: .seconds(10))
        #expect(refused.contains { $0.chatId == 6001 && $0.text.contains("allowance of 10 tokens") })
        #expect(
            refused.contains {
                $0.chatId == Self.owner && $0.text.contains("6001") && $0.text.contains("tokens_per_day")
            })
        telegram.enqueueTextMessage(from: 6001, username: "friend", text: "third")
        telegram.enqueueTextMessage(from: 6001, username: "friend", text: "/usage")
        let usage = try await telegram.waitForSentMessages(count: 4, timeout: .seconds(10))
        #expect(
            usage.last?.chatId == 6001 && usage.last?.text.contains("of 10 tokens") == true, "\(usage.last?.text ?? "")"
        )
        #expect(llm.requests.count == 1)

        // After a restart the day's tokens are still counted: refused without a model call and without a second notice.
        #expect(await run.stop() == 0)
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready after restart: \(run.log)")
        telegram.enqueueTextMessage(from: 6001, username: "friend", text: "after restart")
        telegram.enqueueTextMessage(from: Self.owner, username: "owner", text: "owner still fine?")
        let later = try await telegram.waitForSentMessages(count: 5, timeout: .seconds(10))
        #expect(later.last?.chatId == Self.owner && later.last?.text == "echo: owner still fine?")
        #expect(await run.waitForLog("turn done"))
        #expect(llm.requests.count == 2)
        #expect(!llm.requests.contains { $0.lastUserText == "after restart" })
        #expect(telegram.sentMessages.filter { $0.chatId == 6001 }.count == 3)  // echo, the refusal, /usage

        // /metrics parses with a real Prometheus parser and counts what happened.
        let metrics = try #require(await run.get("/metrics"))
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        try await PrometheusParser.validate(metrics.text)
        #expect(metrics.text.contains("picoclaw_messages_received_total{channel=\"telegram\"} 2"))
        #expect(
            metrics.text.contains("picoclaw_messages_limited_total{channel=\"telegram\",limit=\"tokens_per_day\"} 1"))
        #expect(metrics.text.contains("picoclaw_channel_connected{channel=\"telegram\"} 1"))
        #expect(await run.stop() == 0)
        run.expectNoSecrets(in: [metrics.text])
    }

    @Test func messagesPerMinuteAndCostFromConfiguredPrices() async throws {
        // 1000 USD per million prompt tokens: the first call costs far more than the $0.01 cap.
        let (llm, telegram, run) = try await OwnerControlsTests.echoRun(
            [
                "PICOCLAW_LIMITS_MESSAGES_PER_MINUTE": "2", "PICOCLAW_LIMITS_COST_PER_DAY_USD": "0.01",
                "PICOCLAW_LIMITS_PRICES": "openai/gpt-test=1000/0",
            ], allowFrom: [Self.owner, 7001])
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        // The per-minute window is a calendar minute: stay clear of its end so four messages share one.
        if time(nil) % 60 > 45 { try await Task.sleep(for: .seconds(61 - time(nil) % 60)) }
        for text in ["one", "two", "three", "four"] { telegram.enqueueTextMessage(from: 7001, text: text) }
        telegram.enqueueTextMessage(from: 7001, text: "/usage")
        // 4 to 7001, 2 owner notices.
        let sent = try await telegram.waitForSentMessages(count: 6, timeout: .seconds(20))
        let toSender = sent.filter { $0.chatId == 7001 }.map(\.text)
        #expect(toSender.count == 4, "\(toSender)")
        #expect(toSender.first == "echo: one")
        #expect(toSender.dropFirst().first?.contains("budget of $0.01") == true)
        #expect(toSender.dropFirst(2).first?.contains("too fast") == true)  // "four" gets nothing
        #expect(
            toSender.last?.contains("of $0.01 spent") == true && toSender.last?.contains("$0.00 of") == false,
            "\(toSender.last ?? "")")
        #expect(sent.contains { $0.chatId == Self.owner && $0.text.contains("cost_per_day_usd") })
        #expect(llm.requests.count == 1)
        #expect(await run.stop() == 0)
    }
}

@Suite("owner controls: CLI next to a running gateway", .serialized)
struct OwnerCLIConcurrencyTests {
    /// Each CLI command opens and closes the store while the gateway has it open; the gateway's shared-memory
    /// lock must survive that (it once lost it and died of SIGBUS when a CLI re-initialised -shm).
    @Test func storeCommandsWhileTheGatewayRunsLeaveItServing() async throws {
        let (llm, telegram, run) = try await OwnerControlsTests.echoRun([:], allowFrom: [OwnerControlsTests.owner])
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        // The gateway holds SQLite's POSIX lock on state.db-shm (the lock that tells other processes it is open).
        var shm = stat()
        #expect(stat(run.home + "/state/state.db-shm", &shm) == 0)
        let locks = TempDir.readFile("/proc/locks") ?? ""
        let held = locks.split(separator: "\n").contains { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            return f.count >= 6 && f[4] == "\(run.pid)" && f[5].hasSuffix(":\(shm.st_ino)")
        }
        #expect(held, "the gateway lost its lock on state.db-shm:\n\(locks)")
        for round in 1...4 {
            #expect(await run.cli(["pairing", "list"])?.status == 0)
            #expect(await run.cli(["status", "--json"]) != nil)
            #expect(await run.cli(["backup", "create", "--output", run.dir.at("b\(round).tar")])?.status == 0)
            telegram.enqueueTextMessage(from: OwnerControlsTests.owner, text: "round \(round)")
            let sent = try await telegram.waitForSentMessages(count: round, timeout: .seconds(10))
            #expect(sent.last?.text == "echo: round \(round)")
        }
        #expect(await run.stop() == 0, "\(run.log)")
        #expect(!run.log.contains("crashed"))
    }
}

extension GatewayRun {
    /// Runs `picoclaw <arguments>` with this run's environment (same home and config as the gateway).
    func cli(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async -> SubprocessOutcome? {
        guard let binary = PicoclawBinary.path(sourceLocation: sourceLocation) else { return nil }
        return await Subprocess.run([binary] + arguments, environment: environment)
    }
}

/// Validates Prometheus text with the `prometheus_client` parser (Debian `python3-prometheus-client`, installed by
/// scripts/setup) or `promtool check metrics`.
enum PrometheusParser {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func validate(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let dir = TempDir("picoclaw-metrics")
        let file = dir.write("metrics.txt", text)
        if let promtool = Subprocess.which("promtool") {
            let r = await run([promtool, "check", "metrics"], stdin: text)
            guard r.status == 0 else { throw Failure(description: "promtool: \(r.stdout)\(r.stderr)") }
            return
        }
        let python = "/usr/bin/python3"
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            n = 0
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                n += len(family.samples)
            if n == 0: sys.exit("no samples")
            print(n)
            """
        let probe = await run([python, "-c", "import prometheus_client.parser"])
        guard probe.status == 0 else {
            Issue.record(
                "no Prometheus parser on this machine: run scripts/setup (installs python3-prometheus-client); /metrics was NOT validated",
                sourceLocation: sourceLocation)
            return
        }
        let r = await run([python, "-c", script, file])
        guard r.status == 0 else {
            throw Failure(description: "prometheus_client rejected /metrics: \(r.stderr)\n\(text)")
        }
    }

    private static func run(_ argv: [String], stdin: String? = nil) async -> SubprocessOutcome {
        await Subprocess.run(argv, environment: ["PATH": "/usr/bin:/bin"], stdin: stdin, timeout: 60)
    }
}
