import Synchronization

/// One scripted answer of a fake LLM API (`FakeOpenAI`, `FakeAnthropic`).
public struct FakeLLMResponse: Sendable {
    /// A tool call the model "makes". `argumentsJSON` is the JSON text of the arguments object.
    public struct ToolCall: Sendable, Equatable {
        public var id: String
        public var name: String
        public var argumentsJSON: String
        public init(id: String, name: String, argumentsJSON: String) {
            self.id = id
            self.name = name
            self.argumentsJSON = argumentsJSON
        }
    }

    indirect enum Kind: Sendable {
        case text(String)
        case toolCalls([ToolCall], text: String?)
        case status(Int, body: String?, headers: [String: String])
        case raw(status: Int, body: String, headers: [String: String])
        case wait(@Sendable () async -> Void, then: FakeLLMResponse)
        case drop
        case streamed([String], pace: @Sendable (Int) async -> Void)
    }
    let kind: Kind

    /// A normal assistant text answer (`finish_reason: "stop"` / `stop_reason: "end_turn"`).
    public static func text(_ text: String) -> Self { .init(kind: .text(text)) }

    /// An answer requesting tool calls (`finish_reason: "tool_calls"` / `stop_reason: "tool_use"`), optionally with text.
    public static func toolCalls(
        _ calls: [(id: String, name: String, argumentsJSON: String)], text: String? = nil
    ) -> Self {
        .init(
            kind: .toolCalls(
                calls.map { ToolCall(id: $0.id, name: $0.name, argumentsJSON: $0.argumentsJSON) }, text: text))
    }

    /// Same as `toolCalls(_:text:)` with `ToolCall` values.
    public static func toolCalls(_ calls: [ToolCall], text: String? = nil) -> Self {
        .init(kind: .toolCalls(calls, text: text))
    }

    /// An HTTP error. With `body == nil` the fake renders its provider's error JSON for that status
    /// (e.g. 429 → rate-limit error). `headers` are added verbatim (e.g. `["Retry-After": "1"]`).
    public static func status(_ status: Int, body: String? = nil, headers: [String: String] = [:]) -> Self {
        .init(kind: .status(status, body: body, headers: headers))
    }

    /// Exactly this status and body (e.g. malformed JSON with status 200).
    public static func raw(status: Int = 200, body: String, headers: [String: String] = [:]) -> Self {
        .init(kind: .raw(status: status, body: body, headers: headers))
    }

    /// Waits `ms` milliseconds, then answers with `then`.
    public static func delay(_ ms: Int, then: FakeLLMResponse) -> Self {
        .init(kind: .wait({ await fakeSleep(.milliseconds(ms)) }, then: then))
    }

    /// Answers with `then` once `event` has returned (e.g. until the client showed a typing indicator): a slow
    /// model whose slowness ends on an event, not after a time a loaded machine may overrun.
    public static func after(_ event: @escaping @Sendable () async -> Void, then: FakeLLMResponse) -> Self {
        .init(kind: .wait(event, then: then))
    }

    /// A text answer in `pieces`. A streaming request (`"stream": true`) gets one SSE chunk per piece, and before
    /// writing piece `i` (from 1) the fake awaits `pace(i)` — e.g. until the client showed piece `i - 1` — so
    /// tests see progress without sleeping. A plain request gets the joined text.
    public static func streamed(_ pieces: [String], pace: @escaping @Sendable (Int) async -> Void = { _ in }) -> Self {
        .init(kind: .streamed(pieces, pace: pace))
    }

    /// Closes the TCP connection without answering.
    public static var dropConnection: Self { .init(kind: .drop) }
}

/// A chat request as received by a fake LLM API.
public struct FakeChatRequest: Sendable {
    /// The raw HTTP request (headers, body bytes).
    public let http: RecordedRequest
    /// Parsed JSON body (`.null` if the body was not JSON).
    public let json: JSONValue

    /// `model` field.
    public var model: String? { json["model"]?.stringValue }
    /// `messages` array.
    public var messages: [JSONValue] { json["messages"]?.arrayValue ?? [] }
    /// `tools` array (empty if none).
    public var tools: [JSONValue] { json["tools"]?.arrayValue ?? [] }
    /// `stream` flag.
    public var stream: Bool { json["stream"]?.boolValue ?? false }
    /// Anthropic top-level `system`, or OpenAI's first `system` message content, as text.
    public var systemText: String? {
        if let s = json["system"] { return FakeChatRequest.text(of: s) }
        return messages.first { $0["role"]?.stringValue == "system" }.flatMap { $0["content"] }.flatMap(
            FakeChatRequest.text(of:))
    }
    /// Text of the last `user` message (string content, or the `text` parts joined by newlines).
    public var lastUserText: String? {
        guard let m = messages.last(where: { $0["role"]?.stringValue == "user" }), let c = m["content"] else {
            return nil
        }
        return FakeChatRequest.text(of: c)
    }
    /// The role of the last message.
    public var lastRole: String? { messages.last?["role"]?.stringValue }

    static func text(of content: JSONValue) -> String? {
        if let s = content.stringValue { return s }
        guard let parts = content.arrayValue else { return nil }
        let texts = parts.compactMap { p -> String? in
            if let t = p["text"]?.stringValue { return t }
            if p["type"]?.stringValue == "tool_result", let c = p["content"] { return text(of: c) }
            return nil
        }
        return texts.joined(separator: "\n")
    }
}

/// Shared script/recording machinery of the LLM fakes.
final class LLMScript: Sendable {
    private struct State {
        var queue: [FakeLLMResponse] = []
        var responder: (@Sendable (FakeChatRequest) -> FakeLLMResponse)?
        var defaultResponse: FakeLLMResponse = .text("ok")
        var requests: [FakeChatRequest] = []
        var counter = 0
    }
    private let state = Mutex(State())
    let notifier = ChangeNotifier()

    func enqueue(_ responses: [FakeLLMResponse]) { state.withLock { $0.queue.append(contentsOf: responses) } }
    func setResponder(_ r: (@Sendable (FakeChatRequest) -> FakeLLMResponse)?) { state.withLock { $0.responder = r } }
    func setDefault(_ r: FakeLLMResponse) { state.withLock { $0.defaultResponse = r } }
    var pending: Int { state.withLock { $0.queue.count } }
    func clear() { state.withLock { $0.queue.removeAll() } }
    var requests: [FakeChatRequest] { state.withLock { $0.requests } }

    /// Records the request and returns (sequence number, the response to play).
    func next(for request: FakeChatRequest) -> (Int, FakeLLMResponse) {
        let (n, scripted, responder, dflt) = state.withLock { s in
            s.requests.append(request)
            s.counter += 1
            let scripted = s.queue.isEmpty ? nil : s.queue.removeFirst()
            return (s.counter, scripted, s.responder, s.defaultResponse)
        }
        notifier.notify()
        if let scripted { return (n, scripted) }
        if let responder { return (n, responder(request)) }
        return (n, dflt)
    }

    func waitForRequests(count: Int, timeout: Duration) async throws -> [FakeChatRequest] {
        try await notifier.waitUntil(timeout: timeout, "\(count) chat requests (have \(requests.count))") {
            let r = requests
            return r.count >= count ? r : nil
        }
    }
}

/// Rough token estimate used for `usage` blocks (4 bytes per token).
func estimateTokens(_ byteCount: Int) -> Int { max(1, (byteCount + 3) / 4) }
