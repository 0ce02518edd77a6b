import FoundationEssentials
import PicoAgent
import PicoConfig
import PicoFakes
import PicoHTTP
import Testing

@Suite("OpenAI-compatible provider")
struct OpenAICompatibleProviderTests {
    static let key = "sk-test-openai-0123456789"

    func provider(
        _ fake: FakeOpenAI, retry: RetryPolicy = instantRetry, timeout: Duration = .seconds(10),
        logs: LogRecorder = LogRecorder()
    ) -> OpenAICompatibleProvider {
        OpenAICompatibleProvider(
            settings: ProviderSettings(
                name: "openai", apiKey: Secret(Self.key), apiBase: fake.apiBase, requestTimeout: timeout),
            redactor: SecretRedactor(secretValues: [Self.key]), retry: retry, logger: logs.logger(level: .trace))
    }

    @Test func plainAnswerAndRequestShape() async throws {
        let fake = try await FakeOpenAI.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        fake.enqueue(.text("Hello there"))
        let tool = ToolDefinition(name: "read_file", description: "Read", parameters: ["type": "object"])
        let response = try await provider(fake).complete(
            LLMRequest(
                model: "fake-model", messages: [.system("sys"), .user("hi")], tools: [tool], maxTokens: 100,
                temperature: 0.5))
        #expect(response.content == "Hello there")
        #expect(response.toolCalls.isEmpty)
        #expect(response.finishReason == "stop")
        #expect(response.usage != nil)
        let req = try #require(fake.requests.first)
        #expect(req.model == "fake-model")
        #expect(req.http.header("authorization") == "Bearer \(Self.key)")
        #expect(req.messages.count == 2)
        #expect(req.tools.first?["function"]?["name"]?.stringValue == "read_file")
        #expect(req.json["max_tokens"]?.intValue == 100)
    }

    @Test func toolCallsAreParsedAndEchoedBack() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.toolCalls([(id: "call_1", name: "list_dir", argumentsJSON: #"{"path":"."}"#)]))
        let p = provider(fake)
        let r = try await p.complete(LLMRequest(model: "m", messages: [.user("ls")]))
        #expect(r.toolCalls == [ToolCall(id: "call_1", name: "list_dir", arguments: #"{"path":"."}"#)])
        // The follow-up request carries the assistant tool call and the tool result.
        _ = try await p.complete(
            LLMRequest(
                model: "m",
                messages: [
                    .user("ls"), .assistant("", toolCalls: r.toolCalls),
                    .tool(callID: "call_1", name: "list_dir", content: "FILE: a"),
                ]))
        let second = fake.requests[1].messages
        #expect(second[1]["tool_calls"]?[0]?["id"]?.stringValue == "call_1")
        #expect(second[1]["tool_calls"]?[0]?["function"]?["arguments"]?.stringValue == #"{"path":"."}"#)
        #expect(second[2]["role"]?.stringValue == "tool")
        #expect(second[2]["tool_call_id"]?.stringValue == "call_1")
    }

    @Test func retries429HonouringRetryAfterThenSucceeds() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(429, headers: ["Retry-After": "2"]), .text("after retry"))
        let sleeps = SleepRecorder()
        let r = try await provider(fake, retry: sleeps.policy).complete(LLMRequest(model: "m", messages: [.user("x")]))
        #expect(r.content == "after retry")
        #expect(fake.requests.count == 2)
        #expect(sleeps.recorded == [.seconds(2)])
    }

    @Test func retryAfterIsCappedAndBackoffIsBounded() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(503, headers: ["Retry-After": "3600"]), .status(502), .status(500), .status(504))
        let sleeps = SleepRecorder()
        await #expect(throws: ProviderError.self) {
            _ = try await provider(fake, retry: sleeps.policy).complete(LLMRequest(model: "m", messages: [.user("x")]))
        }
        #expect(fake.requests.count == 4)  // 1 + 3 retries
        let d = sleeps.recorded
        #expect(d.count == 3)
        #expect(d[0] == .seconds(30))
        #expect(d[1] >= .milliseconds(500) && d[1] <= .seconds(1))  // 2^1 · 0.5 s with jitter in [50 %, 100 %]
        #expect(d[2] >= .seconds(1) && d[2] <= .seconds(2))
    }

    @Test func serverErrorEchoingTheKeyIsRedactedEverywhere() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let body = #"{"error":{"message":"upstream failed for key \#(Self.key) (Bearer \#(Self.key))"}}"#
        for _ in 0..<4 { fake.enqueue(.status(500, body: body)) }
        let logs = LogRecorder()
        do {
            _ = try await provider(fake, logs: logs).complete(LLMRequest(model: "m", messages: [.user("x")]))
            Issue.record("expected a failure")
        } catch let e as ProviderError {
            #expect(e.status == 500)
            #expect(e.attempts == 4)
            #expect(!e.description.contains(Self.key))
            #expect(!e.userMessage.contains(Self.key))
            #expect(!e.detail.contains(Self.key))
            #expect(e.detail.contains("<redacted>"))
            #expect(e.userMessage.contains("HTTP 500"))
            #expect(!"\(e)".contains(Self.key))
        }
        #expect(!logs.text.contains(Self.key))
        #expect(logs.rendered.count == 3)  // one warning per retry
    }

    @Test func timeoutBecomesTimedOutError() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.delay(3000, then: .text("late")), .delay(3000, then: .text("late")))
        let p = provider(fake, retry: RetryPolicy(maxRetries: 1) { _ in }, timeout: .milliseconds(300))
        do {
            _ = try await p.complete(LLMRequest(model: "m", messages: [.user("x")]))
            Issue.record("expected a timeout")
        } catch let e as ProviderError {
            #expect(e.kind == .timedOut)
            #expect(e.attempts == 2)
            #expect(e.userMessage.contains("did not answer in time"))
        }
    }

    @Test func malformedCompletionIsInvalidResponse() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.raw(body: "{not json"))
        do {
            _ = try await provider(fake).complete(LLMRequest(model: "m", messages: [.user("x")]))
            Issue.record("expected a failure")
        } catch let e as ProviderError {
            #expect(e.kind == .invalidResponse)
            #expect(fake.requests.count == 1)  // not retried
        }
    }

    @Test func unauthorizedIsNotRetriedAndExplainsTheKey() async throws {
        let fake = try await FakeOpenAI.start(apiKey: "sk-other-key-999")
        defer { Task { await fake.stop() } }
        do {
            _ = try await provider(fake).complete(LLMRequest(model: "m", messages: [.user("x")]))
            Issue.record("expected a failure")
        } catch let e as ProviderError {
            #expect(e.status == 401)
            #expect(e.userMessage.contains("API key"))
            #expect(fake.requests.count == 1)
        }
    }

    @Test func connectionRefusedIsUnreachable() async throws {
        let p = OpenAICompatibleProvider(
            settings: ProviderSettings(name: "openai", apiKey: Secret(Self.key), apiBase: "http://127.0.0.1:1/v1"),
            redactor: .none, retry: RetryPolicy(maxRetries: 1) { _ in }, logger: LogRecorder().logger(level: .trace))
        do {
            _ = try await p.complete(LLMRequest(model: "m", messages: [.user("x")]))
            Issue.record("expected a failure")
        } catch let e as ProviderError {
            #expect(e.kind == .unreachable)
            #expect(e.attempts == 2)
        }
    }

    @Test func reasoningModelsGetMaxCompletionTokensAndNoTemperature() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let p = provider(fake)
        _ = try await p.complete(LLMRequest(model: "o3-mini", messages: [.user("x")], maxTokens: 77, temperature: 0.7))
        _ = try await p.complete(LLMRequest(model: "gpt-4o", messages: [.user("x")], maxTokens: 77, temperature: 0.7))
        let (reasoning, classic) = (fake.requests[0].json, fake.requests[1].json)
        #expect(reasoning["max_completion_tokens"]?.intValue == 77)
        #expect(reasoning["max_tokens"] == nil && reasoning["temperature"] == nil)
        #expect(classic["max_tokens"]?.intValue == 77)
        #expect(classic["temperature"]?.doubleValue == 0.7)
    }

    @Test func retryAfterParsesHTTPDates() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryPolicy.parseRetryAfter("1.5", now: now) == .milliseconds(1500))
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
    }
}
