import Logging
import PicoConfig
import PicoHTTP

/// Anthropic's native Messages API with tool use: `POST {api_base}/v1/messages`, `x-api-key` header.
public struct AnthropicProvider: LLMProvider {
    /// The `anthropic-version` header sent.
    public static let apiVersion = "2023-06-01"

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

    /// The endpoint URL (`…/v1/messages`; an api_base already ending in `/v1` is accepted too).
    public var endpoint: String {
        let base = settings.trimmedBase
        return base.hasSuffix("/v1") ? base + "/messages" : base + "/v1/messages"
    }

    /// Sends one completion request (retrying transient failures); throws ``ProviderError``.
    public func complete(_ request: LLMRequest) async throws -> LLMResponse {
        if let observer = ReplyStream.observer { return try await streamed(request, observer: observer.report) }
        let response = try await transport.send(httpRequest(for: request, stream: false))
        return try parse(try transport.decode(AnthropicWire.Response.self, from: response))
    }

    /// The HTTP request for `request` (`stream: true` asks for server-sent events).
    func httpRequest(for request: LLMRequest, stream: Bool) -> HTTPRequest {
        let (system, messages) = AnthropicWire.convert(request.messages)
        let body = AnthropicWire.Request(
            model: request.model, max_tokens: request.maxTokens, system: system, messages: messages,
            temperature: request.temperature.map { min(1, max(0, $0)) })
        var headers = [
            HTTPHeader("anthropic-version", AnthropicProvider.apiVersion),
            HTTPHeader("Accept", stream ? "text/event-stream" : "application/json"),
        ]
        if !settings.apiKey.isEmpty { headers.append(HTTPHeader("x-api-key", settings.apiKey.reveal())) }
        var bytes = ProviderTransport.encode(body)
        // The tool definitions never change: their JSON is encoded once per agent and spliced in.
        let tools = request.encodedTools
        if !tools.isEmpty { bytes = ProviderTransport.splice(bytes, key: "tools", value: tools.anthropic) }
        if stream { bytes = ProviderTransport.splice(bytes, key: "stream", value: Array("true".utf8)) }
        var http = HTTPRequest.postJSON(endpoint, body: bytes, headers: headers)
        http.timeout = settings.requestTimeout
        http.connectTimeout = min(.seconds(10), settings.requestTimeout)
        http.proxy = settings.proxy
        http.maxResponseBytes = 8 << 20
        return http
    }

    /// The completion in a decoded response body.
    func parse(_ wire: AnthropicWire.Response) throws(ProviderError) -> LLMResponse {
        guard let blocks = wire.content else {
            throw ProviderError.redacted(
                provider: name, kind: .invalidResponse, detail: "no content", transport: transport)
        }
        var text: [String] = []
        var calls: [ToolCall] = []
        for (i, b) in blocks.enumerated() {
            switch b.type {
            case "text": if let t = b.text { text.append(t) }
            case "tool_use":
                calls.append(
                    ToolCall(
                        id: b.id.flatMap { $0.isEmpty ? nil : $0 } ?? "toolu_\(i)", name: b.name ?? "",
                        arguments: (b.input ?? .object([:])).compact))
            default: continue
            }
        }
        let usage = wire.usage.map {
            LLMUsage(promptTokens: $0.input_tokens ?? 0, completionTokens: $0.output_tokens ?? 0)
        }
        return LLMResponse(
            content: text.joined(separator: "\n"), toolCalls: calls, finishReason: wire.stop_reason, usage: usage)
    }
}
