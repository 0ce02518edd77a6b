import Logging
import PicoConfig
import PicoHTTP

/// OpenAI-compatible chat completions with tool calling: `POST {api_base}/chat/completions` with a Bearer key.
/// Covers OpenRouter, OpenAI, Groq, DeepSeek, Mistral, Gemini (OpenAI endpoint), vLLM, Ollama and others.
public struct OpenAICompatibleProvider: LLMProvider {
    /// Provider name from the config (`openrouter`, `anthropic`, ...).
    public let name: String
    let settings: ProviderSettings
    let transport: ProviderTransport

    /// - Parameters:
    ///   - redactor: applied to every error detail (provider bodies can echo the key).
    ///   - retry: retry/backoff policy (tests pass a fast one).
    public init(
        settings: ProviderSettings, redactor: SecretRedactor, retry: RetryPolicy = .standard,
        logger: Logger = Logger(label: "picoclaw.agent.provider")
    ) {
        self.name = settings.name
        self.settings = settings
        self.transport = ProviderTransport(
            provider: settings.name, apiKey: settings.apiKey, redactor: redactor,
            retry: retry, logger: logger)
    }

    /// The endpoint URL.
    public var endpoint: String { settings.trimmedBase + "/chat/completions" }

    /// Sends one completion request (retrying transient failures); throws ``ProviderError``.
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        if let observer = ReplyStream.observer { return try await streamed(request, observer: observer.report) }
        let response = try await transport.send(httpRequest(for: request, stream: false))
        return try parse(try transport.read(OpenAIWire.Response.self, from: response))
    }

    /// The HTTP request for `request` (`stream: true` asks for server-sent events with usage at the end).
    func httpRequest(for request: LLMRequest, stream: Bool) -> HTTPRequest {
        let reasoning = OpenAIWire.isReasoningModel(request.model)
        let tools = request.encodedTools
        let body = OpenAIWire.Request(
            model: request.model, messages: OpenAIWire.messages(request.messages),
            tool_choice: tools.isEmpty ? nil : "auto",
            max_tokens: reasoning ? nil : request.maxTokens,
            max_completion_tokens: reasoning ? request.maxTokens : nil,
            temperature: reasoning ? nil : request.temperature)
        var headers: [HTTPHeader] = [HTTPHeader("Accept", stream ? "text/event-stream" : "application/json")]
        if !settings.apiKey.isEmpty {
            headers.append(HTTPHeader("Authorization", "Bearer \(settings.apiKey.reveal())"))
        }
        if settings.name == "openrouter" {
            headers.append(HTTPHeader("HTTP-Referer", "https://github.com/picoclaw"))
            headers.append(HTTPHeader("X-Title", "picoclaw"))
        }
        // The tool definitions never change: their JSON is encoded once per agent and written in as is.
        let bytes = body.body(tools: tools.isEmpty ? nil : tools.openAI, stream: stream)
        var http = HTTPRequest.postJSON(endpoint, body: bytes, headers: headers)
        http.timeout = settings.requestTimeout
        http.connectTimeout = min(.seconds(10), settings.requestTimeout)
        http.proxy = settings.proxy
        http.maxResponseBytes = 8 << 20
        return http
    }

    /// The completion in a decoded response body.
    func parse(_ wire: OpenAIWire.Response) throws(ProviderError) -> LLMResponse {
        guard let choice = wire.choices?.first, let message = choice.message else {
            let why =
                wire.error.map { ProviderTransport.errorMessage(fromBody: Array($0.compact.utf8)) } ?? "no choices"
            throw ProviderError.redacted(provider: name, kind: .invalidResponse, detail: why, transport: transport)
        }
        let batch = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let calls = (message.tool_calls ?? []).enumerated().map { i, c -> ToolCall in
            let args: String =
                switch c.function.arguments {
                case .string(let s)?: s
                case nil, .null?: "{}"
                case let other?: other.compact
                }
            // Some servers send no (or empty) ids; results must still pair with their calls.
            let id = c.id.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(batch)_\(i)"
            return ToolCall(id: id, name: c.function.name, arguments: args)
        }
        let usage = wire.usage.map {
            LLMUsage(promptTokens: $0.prompt_tokens ?? 0, completionTokens: $0.completion_tokens ?? 0, costUSD: $0.cost)
        }
        return LLMResponse(
            content: message.content ?? "", toolCalls: calls, finishReason: choice.finish_reason, usage: usage)
    }
}
