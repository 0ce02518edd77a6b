@testable import PicoAgent
import PicoConfig
import PicoFakes
import Synchronization
import Testing

/// Collects what a turn's progress observer saw.
final class ProgressLog: Sendable {
    private struct State {
        var items: [ReplyProgress] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }
    private let state = Mutex(State())
    var all: [ReplyProgress] { state.withLock { $0.items } }
    var texts: [String] { all.compactMap { if case .text(let t) = $0 { t } else { nil } } }

    var observer: @Sendable (ReplyProgress) -> Void {
        { p in
            let ready = self.state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.items.append(p)
                let texts = s.items.filter { if case .text = $0 { true } else { false } }.count
                let done = s.waiters.filter { $0.count <= texts }.map(\.continuation)
                s.waiters.removeAll { $0.count <= texts }
                return done
            }
            for c in ready { c.resume() }
        }
    }

    /// Returns once at least `count` text updates arrived (no polling).
    func waitForTexts(_ count: Int) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.items.filter({ if case .text = $0 { true } else { false } }).count >= count { return true }
                s.waiters.append((count, c))
                return false
            }
            if now { c.resume() }
        }
    }
}

@Suite("streaming")
struct StreamingTests {
    static let key = "sk-test-stream-0123456789"

    @Test func sseParserHandlesSplitChunksCRLFCommentsAndMultilineData() {
        var parser = SSEParser()
        let wire = Array(": keep-alive\r\nevent: delta\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\ndata: second é\n\n".utf8)
        var events: [SSEEvent] = []
        for b in wire { events += parser.feed([b]) }  // one byte at a time, splitting the UTF-8 é too
        #expect(
            events == [SSEEvent(event: "delta", data: "{\"a\":\n1}"), SSEEvent(event: "message", data: "second é")])
        var tail = SSEParser()
        #expect(tail.feed(Array("data: last".utf8)).isEmpty)
        #expect(tail.finish() == SSEEvent(event: "message", data: "last"))
    }

    func openAI(_ fake: FakeOpenAI) -> OpenAICompatibleProvider {
        OpenAICompatibleProvider(
            settings: ProviderSettings(
                name: "openai", apiKey: Secret(Self.key), apiBase: fake.apiBase, requestTimeout: .seconds(10)),
            redactor: SecretRedactor(secretValues: [Self.key]), retry: instantRetry,
            logger: LogRecorder().logger(level: .trace))
    }

    func anthropic(_ fake: FakeAnthropic) -> AnthropicProvider {
        AnthropicProvider(
            settings: ProviderSettings(
                name: "anthropic", apiKey: Secret(Self.key), apiBase: fake.baseURL, requestTimeout: .seconds(10)),
            redactor: SecretRedactor(secretValues: [Self.key]), retry: instantRetry,
            logger: LogRecorder().logger(level: .trace))
    }

    @Test func openAIStreamsTextProgressivelyAndReportsUsage() async throws {
        let fake = try await FakeOpenAI.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        let log = ProgressLog()
        // Each piece is written only after the previous one reached the observer.
        fake.enqueue(
            .streamed(["Hel", "lo ", "world"]) { i in
                await log.waitForTexts(i)
            })
        let response = try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
            try await openAI(fake).complete(LLMRequest(model: "m", messages: [.user("hi")]))
        }
        #expect(log.texts == ["Hel", "Hello ", "Hello world"])
        #expect(response.content == "Hello world")
        #expect(response.finishReason == "stop")
        #expect(response.usage != nil)
        let request = try #require(fake.requests.first)
        #expect(request.stream)
        #expect(request.json["stream_options"]?["include_usage"]?.boolValue == true)
    }

    @Test func openAIStreamedToolCallsAreAssembled() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([(id: "call_1", name: "read_file", argumentsJSON: #"{"path":"a.txt"}"#)], text: "Let me look."))
        let log = ProgressLog()
        let response = try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
            try await openAI(fake).complete(LLMRequest(model: "m", messages: [.user("hi")]))
        }
        #expect(response.content == "Let me look.")
        #expect(response.toolCalls == [ToolCall(id: "call_1", name: "read_file", arguments: #"{"path":"a.txt"}"#)])
        #expect(log.all.contains(.tool("read_file")))
    }

    @Test func streamingRetriesABusyServerBeforeTheFirstByte() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(503), .streamed(["fine"]))
        let log = ProgressLog()
        let response = try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
            try await openAI(fake).complete(LLMRequest(model: "m", messages: [.user("hi")]))
        }
        #expect(response.content == "fine")
        #expect(fake.requests.count == 2)
    }

    @Test func streamingErrorStatusBecomesAProviderErrorWithoutTheKey() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.status(400, body: #"{"error":{"message":"bad key \#(Self.key)"}}"#))
        let log = ProgressLog()
        await #expect(throws: ProviderError.self) {
            try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
                try await openAI(fake).complete(LLMRequest(model: "m", messages: [.user("hi")]))
            }
        }
        do {
            _ = try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
                try await openAI(fake).complete(LLMRequest(model: "m", messages: [.user("hi")]))
            }
        } catch let error as ProviderError {
            #expect(!error.description.contains(Self.key))
        }
    }

    @Test func anthropicStreamsTextAndToolUse() async throws {
        let fake = try await FakeAnthropic.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        let log = ProgressLog()
        fake.enqueue(
            .streamed(["Think", "ing…"]) { i in
                await log.waitForTexts(i)
            })
        fake.enqueue(
            .toolCalls([(id: "toolu_1", name: "list_dir", argumentsJSON: #"{"path":"."}"#)], text: "Checking."))
        let provider = anthropic(fake)
        let first = try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
            try await provider.complete(LLMRequest(model: "claude", messages: [.user("hi")]))
        }
        #expect(log.texts == ["Think", "Thinking…"])
        #expect(first.content == "Thinking…")
        #expect(first.finishReason == "end_turn")
        #expect((first.usage?.promptTokens ?? 0) > 0)
        let second = try await ReplyStream.$observer.withValue(ReplyObserver(log.observer)) {
            try await provider.complete(LLMRequest(model: "claude", messages: [.user("hi")]))
        }
        #expect(second.content == "Checking.")
        #expect(second.toolCalls == [ToolCall(id: "toolu_1", name: "list_dir", arguments: #"{"path":"."}"#)])
        #expect(second.finishReason == "tool_use")
        #expect(log.all.contains(.tool("list_dir")))
        #expect(fake.requests.allSatisfy { $0.stream })
    }

    @Test func withoutAnObserverRequestsAreNotStreamed() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(.streamed(["a", "b"]))
        let response = try await openAI(fake).complete(LLMRequest(model: "m", messages: [.user("hi")]))
        #expect(response.content == "ab")
        #expect(fake.requests.first?.stream == false)
    }
}
