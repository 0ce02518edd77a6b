import Glibc
import PicoFakes
import Testing

/// Drives the real `picoclaw agent` binary against a fake OpenAI-compatible server.
@Suite("picoclaw agent (subprocess)")
struct AgentCommandE2ETests {
    static let key = "sk-e2e-test-key-987654"

    func environment(home: TempDir, apiBase: String, key: String = key) -> [String: String] {
        [
            "HOME": home.path, "PICOCLAW_HOME": home.path, "PATH": "/usr/bin:/bin",
            "PICOCLAW_PROVIDERS_OPENAI_API_KEY": key,
            "PICOCLAW_PROVIDERS_OPENAI_API_BASE": apiBase,
            "PICOCLAW_AGENTS_DEFAULTS_MODEL": "openai/fake-model",
            "PICOCLAW_PROVIDERS_OPENAI_REQUEST_TIMEOUT": "10",
        ]
    }

    func binary() throws -> String {
        try #require(
            Subprocess.picoclawBinary(),
            "picoclaw executable not found next to the test bundle; build it (swift build) or set PICOCLAW_TEST_BINARY")
    }

    @Test func oneTurnPrintsTheAnswer() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.text("Hello from the fake model"))
        let r = await Subprocess.run(
            [bin, "agent", "-m", "hi there"], environment: environment(home: home, apiBase: fake.apiBase))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout == "Hello from the fake model\n")
        let req = try #require(fake.requests.first)
        #expect(req.model == "fake-model")
        #expect(req.lastUserText == "hi there")
        #expect(req.systemText?.contains("Channel: cli") == true)
        // The session is in the state store, not in the workspace.
        #expect(access(home.at("state/state.db"), F_OK) == 0)
        #expect(access(home.at("workspace/sessions"), F_OK) != 0)
        #expect(!r.stderr.contains(Self.key))
    }

    @Test func debugPrintsToolCallsToStderr() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([
                (id: "c1", name: "write_file", argumentsJSON: #"{"path":"todo.md","content":"buy milk"}"#),
                (id: "c2", name: "exec", argumentsJSON: #"{"command":"sudo rm -rf /"}"#),
            ]),
            .text("Saved your todo."))
        let r = await Subprocess.run(
            [bin, "agent", "--debug", "-m", "remember milk", "--session", "cli:e2e"],
            environment: environment(home: home, apiBase: fake.apiBase))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout == "Saved your todo.\n")
        #expect(r.stderr.contains("[tool] tool=write_file agent=main session=agent:main:cli:e2e verdict=allowed"))
        #expect(r.stderr.contains("[tool] tool=exec"))
        #expect(r.stderr.contains("verdict=denied"))
        #expect(home.read("workspace/todo.md") == "buy milk")
        #expect(!r.stderr.contains(Self.key) && !r.stdout.contains(Self.key))
    }

    @Test func stdinChatKeepsTheSession() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setResponder { req in .text("echo: \(req.lastUserText ?? "")") }
        let r = await Subprocess.run(
            [bin, "agent"], environment: environment(home: home, apiBase: fake.apiBase),
            stdin: "first\n\nsecond\n")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout == "echo: first\necho: second\n")
        #expect(fake.requests.count == 2)
        #expect(fake.requests[1].messages.count == 4)  // system, first, answer, second
    }

    @Test func providerFailureIsFriendlyAndNeverShowsTheKey() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setDefaultResponse(
            .status(
                500, body: #"{"error":{"message":"crashed while using key \#(Self.key)"}}"#,
                headers: ["Retry-After": "0"]))
        let r = await Subprocess.run(
            [bin, "agent", "--debug", "-m", "hi"], environment: environment(home: home, apiBase: fake.apiBase))
        #expect(r.status == 1)
        #expect(r.stdout.contains("the model provider is unavailable right now (HTTP 500)"))
        #expect(!r.stdout.contains(Self.key))
        #expect(!r.stderr.contains(Self.key))
        #expect(r.stderr.contains("<redacted>"))
    }

    @Test func missingKeyIsAClearError() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        var env = environment(home: home, apiBase: "http://127.0.0.1:1/v1")
        env["PICOCLAW_PROVIDERS_OPENAI_API_KEY"] = nil
        env["PICOCLAW_PROVIDERS_OPENAI_API_BASE"] = nil
        env["PICOCLAW_PROVIDERS_OPENROUTER_REQUEST_TIMEOUT"] = "5"
        env["PICOCLAW_AGENTS_DEFAULTS_MODEL"] = "openrouter/anthropic/claude-sonnet-4"
        let r = await Subprocess.run([bin, "agent", "-m", "hi"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("PICOCLAW_PROVIDERS_OPENROUTER_API_KEY"), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func configFileAgentIsSelectedWithAgentFlag() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setResponder { req in .text("model \(req.model ?? "?")") }
        home.write(
            "config.json",
            """
            {"agents": {"list": [{"id": "main", "default": true},
                                 {"id": "work", "model": "openai/work-model", "restrict_to_workspace": true}]}}
            """)
        chmod(home.at("config.json"), 0o600)
        let r = await Subprocess.run(
            [bin, "agent", "--config", home.at("config.json"), "--agent", "work", "-m", "hi"],
            environment: environment(home: home, apiBase: fake.apiBase))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout == "model work-model\n")
        #expect(access(home.at("state/state.db"), F_OK) == 0)
        #expect(access(home.at("workspace-work/sessions"), F_OK) != 0)
    }

    @Test func unknownAgentIsAnError() async throws {
        let bin = try binary()
        let home = TempDir(); defer { home.remove() }
        let r = await Subprocess.run(
            [bin, "agent", "--agent", "nope", "-m", "hi"],
            environment: environment(home: home, apiBase: "http://127.0.0.1:1/v1"))
        #expect(r.status == 1)
        #expect(r.stderr.contains("unknown agent nope"))
    }
}
