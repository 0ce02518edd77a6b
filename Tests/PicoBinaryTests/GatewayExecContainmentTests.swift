import Glibc
import PicoFakes
import PicoPolicy
import Testing

/// The model as the attacker, through the running gateway: what its commands start dies with the turn and with
/// the gateway, /health stays answered, and a service manager's seccomp filter cannot kill the gateway.
@Suite struct GatewayExecContainmentTests {
    static let modes: [String] =
        (SandboxedExecutor.namespacesAvailable ? ["namespaces"] : [])
        + (SandboxedExecutor.landlockABI != nil ? ["landlock"] : [])

    /// Size of a file, 0 when missing.
    static func size(_ path: String) -> Int {
        var st = stat()
        return lstat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    /// The attack script as a JSON string body (lines joined by an escaped newline; no double quotes inside).
    static func attack(healthPort: Int) -> String {
        [
            "setsid -f sh -c 'while :; do echo x >> beat; sleep 0.02; done' </dev/null >/dev/null 2>&1",
            "i=0; while [ $i -lt 8 ]; do (bash -c 'exec 3<>/dev/tcp/127.0.0.1/\(healthPort); sleep 20' &) ; i=$((i+1)); done",
            "cat ../config.json ../state/* 2>&1 | head -3",
            "i=0; while [ ! -s beat ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i+1)); done",
            "echo attack-done",
        ].joined(separator: "\\n")
    }

    /// A gateway whose model writes `script` to the workspace and runs `sh FILE`, then answers "done"; one
    /// Telegram message from 4242 has been sent.
    static func gatewayRunningScript(
        file: String, mode: String, _ scriptForHealthPort: (Int) -> String
    )
        async throws -> (GatewayRun, FakeOpenAI, FakeTelegram)
    {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        let run = GatewayRun(environment: ["PICOCLAW_TOOLS_EXEC_SANDBOX": mode])
        let script = scriptForHealthPort(Int(run.port))
        llm.enqueue(
            .toolCalls([(id: "c1", name: "write_file", argumentsJSON: #"{"path":"\#(file)","content":"\#(script)"}"#)]),
            .toolCalls([(id: "c2", name: "exec", argumentsJSON: #"{"command":"sh \#(file)"}"#)]),
            .text("done"))
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = telegram.enqueueTextMessage(from: 4242, text: "go")
        return (run, llm, telegram)
    }

    @Test(.enabled(if: !modes.isEmpty, "needs Landlock or user namespaces"), arguments: modes)
    func survivorsDieWithTheTurnAndHealthStaysUp(_ mode: String) async throws {
        let (run, llm, telegram) = try await Self.gatewayRunningScript(file: "attack.sh", mode: mode, Self.attack)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(20))
        #expect(sent.first?.text == "done")
        let requests = try await llm.waitForRequests(count: 3)
        #expect(requests[2].json.jsonString.contains("attack-done"), "\(requests[2].json.jsonString)")
        #expect(!requests[2].json.jsonString.contains("SECRET"))
        // The turn is over: the survivor's heartbeat has stopped, and /health answers at once.
        let beat = run.workspace + "/beat"
        #expect(Self.size(beat) > 0, "the survivor never ran: \(run.log)")
        let before = Self.size(beat)
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.size(beat) == before, "a process outlived its turn")
        for _ in 0..<5 { #expect(await run.get("/health")?.status == 200) }
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test(.enabled(if: !modes.isEmpty, "needs Landlock or user namespaces"), arguments: modes)
    func survivorsDieWhenTheGatewayIsKilled(_ mode: String) async throws {
        let script =
            "setsid -f sh -c 'while :; do echo x >> beat; sleep 0.02; done' </dev/null >/dev/null 2>&1\\nsleep 30\\n"
        let (run, llm, telegram) = try await Self.gatewayRunningScript(file: "a.sh", mode: mode) { _ in script }
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let beat = run.workspace + "/beat"
        try? await eventually("the survivor's heartbeat", timeout: .seconds(10), interval: .milliseconds(20)) {
            Self.size(beat) > 0
        }
        #expect(Self.size(beat) > 0, "the survivor never started: \(run.log)")
        _ = await run.stop(SIGKILL)
        // The parent-death signals take effect asynchronously: the heartbeat must go still (bounded by 10 s; a
        // surviving writer appends every 20 ms and never looks still for 300 ms).
        #expect(try await Self.goesStill(beat), "a process outlived the gateway")
    }

    /// True once `path` has not grown for 300 ms; false if it still grows after 10 s.
    static func goesStill(_ path: String) async throws -> Bool {
        var last = size(path)
        var stillSince = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            let now = size(path)
            if now != last {
                last = now
                stillSince = ContinuousClock.now
            } else if ContinuousClock.now - stillSince >= .milliseconds(300) {
                return true
            }
        }
        return false
    }

    /// systemd 252's @system-service (kill on landlock_*), emulated: the gateway starts, serves, and reports the
    /// degraded layer with the real cause and the fix.
    @Test func gatewayStartsUnderAnEmulatedSystemServiceFilter() async throws {
        let binary = try #require(PicoclawBinary.path())
        let wrapper = PicoclawBinary.parent(binary) + "/pico-seccomp-kill-landlock"
        try #require(access(wrapper, X_OK) == 0, "\(wrapper) is not built")
        let run = GatewayRun()
        #expect(run.start(prefix: [wrapper]))
        #expect(
            await run.waitFor("/health", status: 200, timeout: .seconds(30)) != nil,
            "the gateway did not come up: \(run.log)")
        #expect(await run.waitForLog("exec sandbox:", timeout: .seconds(30)))
        let log = run.log
        #expect(
            log.contains("landlock: UNAVAILABLE") && log.contains("seccomp filter") && log.contains("SIGSYS"), "\(log)")
        #expect(log.contains("SystemCallFilter=@sandbox"), "\(log)")
        await SandboxedExecutor.prepare()
        if SandboxedExecutor.namespacesAvailable {
            #expect(log.contains("exec sandbox: namespaces (no landlock) (self-test passed)"), "\(log)")
        }
        #expect(await run.get("/health")?.status == 200)
        #expect(await run.stop() == 0)
    }
}
