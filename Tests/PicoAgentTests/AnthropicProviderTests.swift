import PicoAgent
import PicoConfig
import PicoFakes
import PicoHTTP
import Testing

@Suite("Anthropic provider")
struct AnthropicProviderTests {
    static let key = "sk-ant-test-0123456789"

    func provider(_ fake: FakeAnthropic, retry: RetryPolicy = instantRetry) -> AnthropicProvider {
        AnthropicProvider(
            settings: ProviderSettings(name: "anthropic", apiKey: Secret(Self.key), apiBase: fake.baseURL),
            redactor: SecretRedactor(secretValues: [Self.key]), retry: retry,
            logger: LogRecorder().logger(level: .trace))
    }

    @Test func plainAnswerWithSystemPrompt() async throws {
        let fake = try await FakeAnthropic.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.text("Bonjour"))
        let r = try await provider(fake).complete(
            LLMRequest(model: "claude-test", messages: [.system("be nice"), .user("hi")]))
        #expect(r.content == "Bonjour")
        let req = try #require(fake.requests.first)
        #expect(req.http.header("x-api-key") == Self.key)
        #expect(req.http.header("anthropic-version") == AnthropicProvider.apiVersion)
        #expect(req.systemText == "be nice")
        #expect(req.messages.count == 1)
    }

    @Test func toolUseRoundTrip() async throws {
        let fake = try await FakeAnthropic.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([(id: "toolu_1", name: "read_file", argumentsJSON: #"{"path":"a.txt"}"#)], text: "Let me look"))
        let p = provider(fake)
        let tool = ToolDefinition(name: "read_file", description: "Read", parameters: ["type": "object"])
        let r = try await p.complete(LLMRequest(model: "m", messages: [.user("read a")], tools: [tool]))
        #expect(r.content == "Let me look")
        #expect(r.toolCalls.count == 1)
        #expect(r.toolCalls[0].id == "toolu_1")
        #expect(PicoConfig.JSONValue.parse(r.toolCalls[0].arguments) == ["path": "a.txt"])
        _ = try await p.complete(
            LLMRequest(
                model: "m",
                messages: [
                    .user("read a"), .assistant("Let me look", toolCalls: r.toolCalls),
                    .tool(callID: "toolu_1", name: "read_file", content: "contents"),
                ], tools: [tool]))
        let msgs = fake.requests[1].messages
        #expect(msgs.count == 3)
        #expect(msgs[1]["content"]?[1]?["type"]?.stringValue == "tool_use")
        #expect(msgs[1]["content"]?[1]?["input"]?["path"]?.stringValue == "a.txt")
        #expect(msgs[2]["role"]?.stringValue == "user")
        #expect(msgs[2]["content"]?[0]?["type"]?.stringValue == "tool_result")
        #expect(msgs[2]["content"]?[0]?["tool_use_id"]?.stringValue == "toolu_1")
        #expect(fake.requests[1].tools.first?["input_schema"] != nil)
    }

    @Test func errorBodyEchoingKeyIsRedacted() async throws {
        let fake = try await FakeAnthropic.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .status(
                400,
                body: #"{"type":"error","error":{"type":"invalid_request_error","message":"bad key \#(Self.key)"}}"#))
        do {
            _ = try await provider(fake).complete(LLMRequest(model: "m", messages: [.user("x")]))
            Issue.record("expected failure")
        } catch let e as ProviderError {
            #expect(e.status == 400)
            #expect(!e.userMessage.contains(Self.key))
            #expect(e.userMessage.contains("bad key <redacted>"))
        }
    }

    @Test func rateLimitThenSuccess() async throws {
        let fake = try await FakeAnthropic.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(429, headers: ["retry-after": "1"]), .text("ok now"))
        let sleeps = SleepRecorder()
        let r = try await provider(fake, retry: sleeps.policy).complete(LLMRequest(model: "m", messages: [.user("x")]))
        #expect(r.content == "ok now")
        #expect(sleeps.recorded == [.seconds(1)])
    }

    @Test func overloadedIsRetriedLike503() async throws {
        let fake = try await FakeAnthropic.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(529), .status(529), .text("ok after overload"))
        let sleeps = SleepRecorder()
        let r = try await provider(fake, retry: sleeps.policy).complete(LLMRequest(model: "m", messages: [.user("x")]))
        #expect(r.content == "ok after overload")
        #expect(sleeps.recorded.count == 2)
        #expect(fake.requests.count == 3)
    }

    @Test func conversationAlwaysOpensWithAUserTurn() async throws {
        let fake = try await FakeAnthropic.start()
        defer { Task { await fake.stop() } }
        _ = try await provider(fake).complete(
            LLMRequest(
                model: "m",
                messages: [
                    .system("s"), .assistant("earlier answer"), .user("u1"), .user("u2"),
                ]))
        let msgs = try #require(fake.requests.first).messages
        #expect(msgs.map { $0["role"]?.stringValue } == ["user", "assistant", "user"])
        #expect(msgs[2]["content"]?.arrayValue?.count == 2)  // consecutive user messages merged
    }
}
