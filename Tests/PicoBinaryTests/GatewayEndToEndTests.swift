import Glibc
import PicoFakes
import PicoHTTP
import PicoState
import Testing

/// The real `picoclaw gateway` binary as a child process, against fake Telegram, Discord and LLM servers.
@Suite("gateway end to end", .serialized)
struct GatewayEndToEndTests {
    @Test func allowedTelegramUserGetsTheReplyAndRefusedUserGetsNothing() async throws {
        let scene = try await EchoTelegramScene.start(replyPrefix: "echo: ")
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        _ = telegram.enqueueTextMessage(from: 999_001, username: "mallory", text: "let me in")
        _ = telegram.enqueueTextMessage(from: 4242, username: "owner", text: "hello gateway")
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent[0].chatId == 4242)
        #expect(sent[0].text == "echo: hello gateway")
        // The refused sender never reached the model, and the log tells the owner how to allow them.
        #expect(await run.waitForLog("999001"))
        #expect(run.log.contains("allow_from"))
        #expect(llm.requests.allSatisfy { $0.lastUserText != "let me in" })
        #expect(telegram.sentMessages.count == 1)

        #expect(await run.stop() == 0)
        #expect(access(run.home + "/picoclaw.pid", F_OK) != 0, "PID file left behind")
        run.expectNoSecrets()
    }

    @Test func discordMessageGetsTheReply() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        llm.setDefaultResponse(.text("hi from the agent"))
        let run = GatewayRun()
        run.useLLM(llm)
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            bot: false, content: "hello", mentionsBot: false)
        // A slow turn shows a placeholder first: the reply is what stays once the turn is done.
        try await run.waitForTurnsDone(1)
        let sent = discord.keptMessages
        #expect(sent.map(\.channelId) == ["777"])
        #expect(sent.map(\.content) == ["hi from the agent"])
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func toolTurnWritesInsideTheWorkspaceAndDeniedExecIsAudited() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.enqueue(
            .toolCalls([
                (id: "c1", name: "write_file", argumentsJSON: #"{"path":"notes/todo.txt","content":"buy milk"}"#)
            ]),
            .toolCalls([(id: "c2", name: "exec", argumentsJSON: #"{"command":"rm -rf /"}"#)]),
            .text("done"))
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start(["--debug"]))
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = telegram.enqueueTextMessage(from: 4242, text: "note that and clean up")
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent[0].text == "done")
        #expect(TempDir.readFile(run.workspace + "/notes/todo.txt") == "buy milk")
        // The model saw the denial, and the --debug audit trail names the tool, the verdict and the rule.
        let requests = try await llm.waitForRequests(count: 3)
        #expect(requests[2].json.jsonString.contains("denied"))
        #expect(await run.waitForLog("tool=exec"))
        let auditLine = run.log.split(separator: "\n").first { $0.contains("tool=exec") } ?? ""
        #expect(auditLine.contains("verdict=denied"))
        #expect(auditLine.contains("deny-pattern:"))
        #expect(run.log.contains("tool=write_file"))
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func healthAtOnceReadyOnlyAfterChannelsConnect() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        // Telegram answers getMe only after a delay, so the gateway is up but not ready for a while.
        telegram.failNext(method: "getMe", status: 502, count: 2)
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [1])
        #expect(run.start())
        let health = await run.waitFor("/health", status: 200, timeout: .seconds(5))
        #expect(health?.text.contains(#""status":"ok""#) == true)
        let early = await run.get("/ready")
        #expect(early?.status == 503)
        #expect(early?.text.contains("telegram") == true)
        let ready = await run.waitFor("/ready", status: 200, timeout: .seconds(15))
        #expect(ready != nil, "never ready: \(run.log)")
        #expect(ready?.text.contains(#""telegram":{"detail":"connected","ok":true}"#) == true)
        // Bodies are small and leak no paths or versions.
        for body in [health?.text ?? "", ready?.text ?? ""] {
            #expect(body.count < 512)
            #expect(!body.contains("/"))
            #expect(!body.contains("0.1.0"))
        }
        #expect(await run.get("/anything")?.status == 404)
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func secondGatewayIsRefusedByThePIDFile() async throws {
        let first = GatewayRun()
        #expect(first.start())
        #expect(await first.waitFor("/health", status: 200) != nil, "first gateway: \(first.log)")
        // Same PICOCLAW_HOME (so the same PID file), another port.
        let second = GatewayRun(environment: ["PICOCLAW_HOME": first.home])
        second.environment["HOME"] = first.environment["HOME"]
        #expect(second.start())
        #expect(await second.exited(within: .seconds(10)) == 1)
        #expect(second.log.contains("already running"))
        #expect(second.log.contains("\(first.pid)"))
        // The first is unharmed, and its PID file is still there.
        #expect(await first.get("/health")?.status == 200)
        #expect(TempDir.readFile(first.home + "/picoclaw.pid")?.hasPrefix("\(first.pid)") == true)
        #expect(await first.stop() == 0)
    }

    @Test func stalePIDFileIsReplaced() async throws {
        let run = GatewayRun()
        // A PID that is certainly not a live picoclaw: a child that already exited.
        _ = TempDir.writeFile(run.home + "/picoclaw.pid", "\(Int32.max - 7)\n", mode: 0o644)
        #expect(run.start())
        #expect(await run.waitFor("/health", status: 200) != nil, "\(run.log)")
        // /health answers before the PID file is written (start-up order): wait for the file, not for time.
        try await eventually("the PID file to name the new gateway") {
            TempDir.readFile(run.home + "/picoclaw.pid") == "\(run.pid)\n"
        }
        var st = stat()
        stat(run.home + "/picoclaw.pid", &st)
        #expect(st.st_mode & 0o777 == 0o644)
        #expect(await run.stop(SIGINT) == 0)
        #expect(access(run.home + "/picoclaw.pid", F_OK) != 0)
    }

    @Test func sigtermDuringATurnDeliversTheReplyThenExits() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.enqueue(.delay(1500, then: .text("slow answer")))
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = telegram.enqueueTextMessage(from: 4242, text: "take your time")
        _ = try await llm.waitForRequests(count: 1, timeout: .seconds(10))
        kill(run.pid, SIGTERM)
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent[0].text == "slow answer")
        #expect(await run.exited(within: .seconds(20)) == 0)
        #expect(access(run.home + "/picoclaw.pid", F_OK) != 0)
        // The turn is in the session history too: in the state store, not in the agent's workspace.
        #expect(access(run.workspace + "/sessions", F_OK) != 0)
        let store = try await StateStore.open(directory: run.home + "/state")
        let sessions = try await store.sessions()
        #expect(sessions.map(\.messageCount) == [2])
        #expect(try await store.openCount() == 0)
        await store.close()
        run.expectNoSecrets()
    }

    @Test func publicBindIsRefusedWithoutOptIn() async throws {
        let run = GatewayRun(environment: ["PICOCLAW_GATEWAY_HOST": "0.0.0.0"])
        #expect(run.start())
        #expect(await run.exited(within: .seconds(10)) == 1)
        #expect(run.log.contains("allow_public_bind"))
        #expect(run.log.contains("Docs/deploy.md#reverse-proxy"))
        #expect(await run.get("/health") == nil)

        let optedIn = GatewayRun(environment: ["PICOCLAW_GATEWAY_HOST": "0.0.0.0"])
        #expect(optedIn.start(["--allow-public-bind"]))
        #expect(await optedIn.waitFor("/health", status: 200) != nil, "\(optedIn.log)")
        #expect(optedIn.log.contains("SECURITY"))
        #expect(await optedIn.stop() == 0)
    }

    @Test func providerErrorEchoingTheKeyNeverReachesLogsOrUsers() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let body =
            #"{"error":{"message":"bad request for key \#(GatewayRun.apiKey) and bot \#(GatewayRun.telegramToken)"}}"#
        llm.setDefaultResponse(.status(400, body: body))
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start(["--debug"]))
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = telegram.enqueueTextMessage(from: 4242, text: "hi")
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(await run.stop() == 0)
        run.expectNoSecrets(in: sent.map(\.text) + [TempDir.readFile(run.workspace + "/sessions") ?? ""])
        // Session files hold no secret either.
        if let names = try? listDirectory(run.workspace + "/sessions") {
            for name in names {
                run.expectNoSecrets(in: [TempDir.readFile(run.workspace + "/sessions/" + name) ?? ""])
            }
        }
    }

    @Test func sighupReopensTheLogFile() async throws {
        let run = GatewayRun()
        let logFile = run.dir.at("picoclaw.log")
        run.environment["PICOCLAW_GATEWAY_LOG_FILE"] = logFile
        #expect(run.start())
        #expect(await run.waitForLog("gateway started"))
        // The log file is written by its own thread, a batch at a time: the line follows within a moment.
        try await eventually("the log file to have the start-up line") {
            TempDir.readFile(logFile)?.contains("gateway started") == true
        }
        var st = stat()
        stat(logFile, &st)
        #expect(st.st_mode & 0o777 == 0o640)
        // logrotate: move the file away, then SIGHUP; new lines go to a new file.
        rename(logFile, logFile + ".1")
        kill(run.pid, SIGHUP)
        #expect(await run.waitForLog("log file reopened"))
        try await eventually("the new log file to have the reopen line") {
            TempDir.readFile(logFile)?.contains("log file reopened") == true
        }
        #expect(await run.stop() == 0)
        #expect(TempDir.readFile(logFile)?.contains("gateway stopped") == true)
    }
}

/// Names in a directory (not `.`/`..`).
func listDirectory(_ path: String) throws -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let entry = readdir(d) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

@Suite("gateway end to end: failing channels", .serialized)
struct GatewayFailingChannelTests {
    @Test func rejectedTokenIsReportedWhileTheOtherChannelKeepsWorking() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        // Telegram knows another token, so it rejects ours (401 on getMe).
        let telegram = try await FakeTelegram.start(token: "111:some-other-token")
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await telegram.stop(); await discord.stop()
            }
        }
        llm.setDefaultResponse(.text("still here"))
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/health", status: 200) != nil, "\(run.log)")
        // Discord connects; Telegram is reported as failed and /ready says so, without naming the token.
        #expect(await run.waitForLog("telegram: cannot start"), "\(run.log)")
        try await discord.waitForIdentify()
        // The readiness board follows the channel's state (polled by the supervisor): wait for it to say so.
        let failed = #""telegram":{"detail":"failed","ok":false}"#
        var ready: HTTPResponse?
        try? await eventually("/ready to report telegram failed", timeout: .seconds(10), interval: .milliseconds(50)) {
            ready = await run.get("/ready")
            return ready?.text.contains(failed) == true
        }
        #expect(ready?.status == 503)
        #expect(ready?.text.contains(failed) == true, "\(ready?.text ?? "no answer")")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            bot: false, content: "hello", mentionsBot: false)
        // (Once seen not answered within the bound under heavy load, cause unknown: the failure keeps the log.)
        do {
            try await run.waitForTurnsDone(1)
        } catch {
            Issue.record(
                "\(error); Discord got \(discord.sentMessages.map(\.content)); the log ends: \(run.log.suffix(6000))")
            return
        }
        #expect(discord.keptMessages.map(\.content) == ["still here"])
        // The gateway keeps running and retrying Telegram with backoff.
        #expect(await run.exited(within: .milliseconds(200)) == nil)
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }
}
