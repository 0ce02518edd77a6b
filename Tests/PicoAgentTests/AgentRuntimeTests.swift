import PicoAgent
import PicoConfig
import PicoFakes
import PicoPolicy
import Testing

@Suite("Agent tool loop")
struct AgentRuntimeTests {
    static let key = "sk-test-key-123456"

    /// The content of the tool message answering `callID` in a recorded request.
    func toolResult(_ req: FakeChatRequest, _ callID: String) -> String? {
        req.messages.first { $0["role"]?.stringValue == "tool" && $0["tool_call_id"]?.stringValue == callID }?[
            "content"]?.stringValue
    }

    @Test func plainAnswerIsReturnedAndPersisted() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.text("Hi! How can I help?"))
        let logs = LogRecorder()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), logs: logs)
        #expect(system.readiness == .ready)
        let reply = await system.defaultAgent.respond(to: cliMessage("hello"), session: testSession)
        #expect(reply.text == "Hi! How can I help?")
        #expect(reply.iterations == 1)
        #expect(!reply.isFailure)
        let req = try #require(fake.requests.first)
        #expect(req.model == "fake-model")
        #expect(req.lastUserText == "hello")
        #expect(req.systemText?.contains("picoclaw") == true)
        #expect(
            Set(req.tools.compactMap { $0["function"]?["name"]?.stringValue })
                == [
                    "append_file", "edit_file", "exec", "list_dir", "memory", "read_file", "send_file", "web_fetch",
                    "write_file",
                ])
        let history = try system.defaultAgent.fileSessions.loadAll(testSession)
        #expect(history.map(\.role) == [.user, .assistant])
        // No info noise from the agent (the gateway logs one line per turn); the debug turn summary has no contents.
        #expect(logs.rendered.filter { $0.hasPrefix("info") }.isEmpty)
        let summary = logs.rendered.filter { $0.contains("agent turn") }
        #expect(summary.count == 1)
        #expect(summary.first?.contains("iterations=1") == true)
        #expect(!logs.text.contains("hello"))
        #expect(!logs.text.contains("How can I help"))
    }

    @Test func fileToolsWorkInsideTheWorkspace() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([
                (id: "c1", name: "write_file", argumentsJSON: #"{"path":"notes/a.txt","content":"alpha beta"}"#)
            ]),
            .toolCalls([
                (
                    id: "c2", name: "edit_file",
                    argumentsJSON: #"{"path":"notes/a.txt","old_text":"beta","new_text":"gamma"}"#
                ),
                (id: "c3", name: "append_file", argumentsJSON: #"{"path":"notes/a.txt","content":"\ndelta"}"#),
            ]),
            .toolCalls([
                (id: "c4", name: "read_file", argumentsJSON: #"{"path":"notes/a.txt"}"#),
                (id: "c5", name: "list_dir", argumentsJSON: #"{"path":"notes"}"#),
            ]),
            .text("done"))
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit)
        let reply = await system.defaultAgent.respond(to: cliMessage("make notes"), session: testSession)
        #expect(reply.text == "done")
        #expect(reply.iterations == 4)
        #expect(reply.toolCalls == 5)
        #expect(home.read("workspace/notes/a.txt") == "alpha gamma\ndelta")
        let last = fake.requests[3]
        #expect(toolResult(last, "c1")?.hasPrefix("File written: notes/a.txt") == true)
        #expect(toolResult(last, "c2") == "File edited: notes/a.txt")
        #expect(toolResult(last, "c3") == "Appended to notes/a.txt")
        #expect(toolResult(last, "c4") == "alpha gamma\ndelta")
        #expect(toolResult(last, "c5")?.contains("FILE: a.txt") == true)
        let events = audit.all
        #expect(events.map(\.tool) == ["write_file", "edit_file", "append_file", "read_file", "list_dir"])
        #expect(events.allSatisfy { $0.verdict.allowed && !$0.isError && $0.agentID == "main" })
        #expect(events.allSatisfy { $0.sessionKey == testSession.rawValue })
        #expect(events[3].resultBytes == "alpha gamma\ndelta".utf8.count)
        // The whole turn is persisted with tool-call/result pairs.
        let history = try system.defaultAgent.fileSessions.loadAll(testSession)
        #expect(
            history.map(\.role) == [
                .user, .assistant, .tool, .assistant, .tool, .tool, .assistant, .tool, .tool, .assistant,
            ])
    }

    @Test func escapingTheWorkspaceIsAnErrorResultNamingThePath() async throws {
        let home = TempDir(); defer { home.remove() }
        home.write("secret.txt", "TOPSECRET-CONTENT", mode: 0o644)
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([(id: "c1", name: "read_file", argumentsJSON: #"{"path":"../secret.txt"}"#)]), .text("ok"))
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit)
        _ = await system.defaultAgent.respond(to: cliMessage("read"), session: testSession)
        let result = try #require(toolResult(fake.requests[1], "c1"))
        #expect(result.hasPrefix("Error:"))
        #expect(result.contains("../secret.txt"))
        #expect(!result.contains("TOPSECRET"))
        #expect(audit.all.first?.verdict.allowed == false)
        #expect(audit.all.first?.isError == true)
    }

    @Test func deniedCommandSendsTheReasonToTheModel() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([(id: "c1", name: "exec", argumentsJSON: #"{"command":"rm -rf /"}"#)]), .text("I can't do that"))
        let audit = AuditCollector()
        let runner = RecordingRunner()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit, runner: runner)
        let reply = await system.defaultAgent.respond(to: cliMessage("wipe"), session: testSession)
        #expect(reply.text == "I can't do that")
        let result = try #require(toolResult(fake.requests[1], "c1"))
        #expect(result.hasPrefix("Error: Command denied by policy (rule: "))
        #expect(runner.ran.isEmpty)
        let event = try #require(audit.all.first)
        #expect(event.tool == "exec")
        #expect(event.verdict.allowed == false)
        #expect(event.verdict.rule?.isEmpty == false)
        #expect(result.contains(event.verdict.rule!))
        #expect(event.argumentsPreview.contains("rm -rf /"))
    }

    @Test func outputPastTheCapIsCutAndTheDroppedBytesReachTheAudit() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        // `seq 1 2000` prints 8893 bytes; the cap keeps 1000 of them.
        fake.enqueue(.toolCalls([(id: "c1", name: "exec", argumentsJSON: #"{"command":"seq 1 2000"}"#)]), .text("long"))
        let audit = AuditCollector()
        let system = try makeSystem(
            fakeConfig(home: home, apiBase: fake.apiBase, exec: ExecToolConfig(maxOutputBytes: 1000)),
            audit: audit)
        _ = await system.defaultAgent.respond(to: cliMessage("count"), session: testSession)
        let result = try #require(toolResult(fake.requests[1], "c1"))
        #expect(result.hasPrefix("1\n2\n3\n"))
        #expect(result.contains("7893 more bytes dropped"))
        let event = try #require(audit.all.first)
        #expect(event.exitStatus == 0)
        #expect(event.truncatedBytes == 7893)
        #expect(event.description.contains("truncated_bytes=7893"))
    }

    @Test func allowedCommandRunsThroughTheRunner() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.toolCalls([(id: "c1", name: "exec", argumentsJSON: #"{"command":"echo hi"}"#)]), .text("said hi"))
        let audit = AuditCollector()
        let runner = RecordingRunner(outcome: ExecResult(output: "hi\n", exitStatus: 0))
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit, runner: runner)
        _ = await system.defaultAgent.respond(to: cliMessage("say hi"), session: testSession)
        #expect(runner.ran == ["echo hi"])
        #expect(toolResult(fake.requests[1], "c1") == "hi\n")
        #expect(audit.all.first?.exitStatus == 0)
        #expect(audit.all.first?.verdict.allowed == true)
    }

    @Test func execDisabledIsNotRegistered() async throws {
        let home = TempDir(); defer { home.remove() }
        let system = try makeSystem(
            fakeConfig(
                home: home, apiBase: "http://127.0.0.1:1/v1",
                exec: ExecToolConfig(enabled: false)))
        #expect(!system.defaultAgent.tools.names.contains("exec"))
        #expect(system.defaultAgent.tools.names.contains("read_file"))
    }

    @Test func malformedAndIllTypedArgumentsBecomeErrorResults() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([
                (id: "c1", name: "write_file", argumentsJSON: #"{"path": "a.txt", "content": "#),
                (id: "c2", name: "write_file", argumentsJSON: #"{"path": 42, "content": "x"}"#),
                (id: "c3", name: "read_file", argumentsJSON: "{}"),
                (id: "c4", name: "no_such_tool", argumentsJSON: "{}"),
                (id: "c5", name: "read_file", argumentsJSON: "[1,2]"),
            ]),
            .text("recovered"))
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit)
        let reply = await system.defaultAgent.respond(to: cliMessage("go"), session: testSession)
        #expect(reply.text == "recovered")
        let req = fake.requests[1]
        #expect(toolResult(req, "c1")?.contains("not valid JSON") == true)
        #expect(toolResult(req, "c2")?.contains("'path' must be a string") == true)
        #expect(toolResult(req, "c3")?.contains("missing required argument 'path'") == true)
        #expect(toolResult(req, "c4")?.contains("unknown tool") == true)
        #expect(toolResult(req, "c5")?.contains("must be a JSON object") == true)
        #expect(audit.all.count == 5)
        #expect(audit.all.allSatisfy { $0.isError })
        #expect(home.read("workspace/a.txt") == nil)
    }

    @Test func iterationLimitStopsWithAClearMessage() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setDefaultResponse(.toolCalls([(id: "loop", name: "list_dir", argumentsJSON: "{}")]))
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase, maxToolIterations: 3))
        let reply = await system.defaultAgent.respond(to: cliMessage("loop forever"), session: testSession)
        #expect(reply.hitIterationLimit)
        #expect(reply.iterations == 3)
        #expect(fake.requests.count == 3)
        #expect(reply.text.contains("max_tool_iterations"))
        // The persisted history is still well-formed (every call answered) and ends with the notice.
        let history = try system.defaultAgent.fileSessions.loadAll(testSession)
        #expect(history.last?.role == .assistant)
        #expect(history.filter { $0.role == .tool }.count == 3)
    }

    @Test func secretsInToolResultsNeverReachTheModel() async throws {
        let home = TempDir(); defer { home.remove() }
        home.write("workspace/leak.txt", "token=\(Self.key)", mode: 0o644)
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.toolCalls([(id: "c1", name: "read_file", argumentsJSON: #"{"path":"leak.txt"}"#)]), .text("ok"))
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit)
        _ = await system.defaultAgent.respond(to: cliMessage("read \(Self.key)"), session: testSession)
        #expect(toolResult(fake.requests[1], "c1") == "token=<redacted>")
        #expect(!fake.requests[1].allText.contains(Self.key))
        let file = try #require(TempDir.readFile(system.defaultAgent.fileSessions.path(for: testSession)))
        #expect(!file.contains(Self.key))
        #expect(file.contains("<redacted>"))
    }

    @Test func providerFailureBecomesAFriendlyReplyAndKeyNeverLeaks() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setDefaultResponse(
            .status(503, body: #"{"error":{"message":"overloaded; your key \#(Self.key) is fine"}}"#))
        let logs = LogRecorder()
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), logs: logs, audit: audit)
        let reply = await system.defaultAgent.respond(to: cliMessage("hi"), session: testSession)
        #expect(reply.isFailure)
        #expect(reply.text == "Sorry — the model provider is unavailable right now (HTTP 503). Please try again later.")
        #expect(fake.requests.count == 4)
        #expect(!logs.text.contains(Self.key))
        #expect(logs.text.contains("<redacted>"))
        #expect(!reply.text.contains(Self.key))
        #expect(!"\(reply)".contains(Self.key))
    }

    @Test func rateLimitedThenAnswered() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(429, headers: ["Retry-After": "1"]), .text("there you go"))
        let sleeps = SleepRecorder()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), retry: sleeps.policy)
        let reply = await system.defaultAgent.respond(to: cliMessage("hi"), session: testSession)
        #expect(reply.text == "there you go")
        #expect(sleeps.recorded == [.seconds(1)])
    }

    @Test func timeoutBecomesAFriendlyReply() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setDefaultResponse(.delay(3000, then: .text("late")))
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase, timeout: 1), retry: .none)
        let reply = await system.defaultAgent.respond(to: cliMessage("hi"), session: testSession)
        #expect(reply.failure?.kind == .timedOut)
        #expect(reply.text.contains("did not answer in time"))
    }

    @Test func historyIsSentOnTheNextTurn() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.text("first answer"), .text("second answer"))
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase))
        _ = await system.defaultAgent.respond(to: cliMessage("one"), session: testSession)
        _ = await system.defaultAgent.respond(to: cliMessage("two"), session: testSession)
        let roles = fake.requests[1].messages.compactMap { $0["role"]?.stringValue }
        #expect(roles == ["system", "user", "assistant", "user"])
        #expect(fake.requests[1].messages[2]["content"]?.stringValue == "first answer")
    }

    @Test func anthropicAgentRunsTheToolLoop() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeAnthropic.start(apiKey: "sk-ant-key-123456")
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([(id: "toolu_1", name: "write_file", argumentsJSON: ##"{"path":"x.md","content":"# X"}"##)]),
            .text("Wrote it"))
        let config = fakeConfig(
            home: home, apiBase: fake.baseURL, apiKey: "sk-ant-key-123456",
            model: "anthropic/claude-test", provider: "anthropic")
        let system = try makeSystem(config)
        let reply = await system.defaultAgent.respond(to: cliMessage("write x"), session: testSession)
        #expect(reply.text == "Wrote it")
        #expect(home.read("workspace/x.md") == "# X")
        #expect(fake.requests.first?.model == "claude-test")
        #expect(fake.requests[1].messages.last?["content"]?[0]?["type"]?.stringValue == "tool_result")
    }
}
