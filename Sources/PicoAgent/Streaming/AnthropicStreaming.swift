import FoundationEssentials
import PicoHTTP

extension AnthropicProvider {
    /// A streamed Messages call (`"stream": true`): text deltas go to `observer` as they arrive; the assembled
    /// answer is returned like ``complete(_:)`` would.
    func streamed(
        _ request: LLMRequest, observer: @escaping @Sendable (ReplyProgress) -> Void
    ) async throws -> LLMResponse {
        let assembly = AnthropicStreamAssembly(provider: name, transport: transport, observer: observer)
        let plain = try await transport.stream(httpRequest(for: request, stream: true)) { try assembly.add($0) }
        if let plain {  // the server answered without streaming
            let response = try parse(
                try transport.decode(
                    AnthropicWire.Response.self,
                    from: HTTPResponse(status: 200, headers: [], body: plain)))
            if !response.content.isEmpty { observer(.text(response.content)) }
            return response
        }
        return try assembly.response()
    }
}

/// Assembles Messages stream events: `message_start` (input usage), `content_block_start` (text or tool_use
/// with id and name), `content_block_delta` (`text_delta`, `input_json_delta`), `message_delta` (stop reason,
/// output usage), `error`.
final class AnthropicStreamAssembly {
    private let provider: String
    private let transport: ProviderTransport
    private let observer: @Sendable (ReplyProgress) -> Void
    private var blocks: [Int: Block] = [:]
    private var stopReason: String?
    private var inputTokens: Int?
    private var outputTokens: Int?
    private var started = false

    private struct Block {
        var type: String
        var text = ""
        var id: String?
        var name: String?
        var json = ""
    }

    init(provider: String, transport: ProviderTransport, observer: @escaping @Sendable (ReplyProgress) -> Void) {
        self.provider = provider
        self.transport = transport
        self.observer = observer
    }

    func add(_ event: SSEEvent) throws {
        guard let e = try? JSONDecoder().decode(Event.self, from: Data(event.data.utf8)) else {
            if event.event == "ping" { return }
            throw failure("unreadable stream event")
        }
        switch e.type {
        case "message_start":
            started = true
            inputTokens = e.message?.usage?.input_tokens
            outputTokens = e.message?.usage?.output_tokens
        case "content_block_start":
            guard let i = e.index, let b = e.content_block else { return }
            blocks[i] = Block(type: b.type, text: b.text ?? "", id: b.id, name: b.name)
            if b.type == "tool_use", let name = b.name { observer(.tool(name)) }
        case "content_block_delta":
            guard let i = e.index, let d = e.delta, var block = blocks[i] else { return }
            if let t = d.text {
                block.text += t
                blocks[i] = block
                observer(.text(text))
            } else if let j = d.partial_json {
                block.json += j
                blocks[i] = block
            }
        case "message_delta":
            if let r = e.delta?.stop_reason { stopReason = r }
            if let o = e.usage?.output_tokens { outputTokens = o }
        case "error":
            throw failure(e.error?.message ?? "stream error")
        default:
            return  // ping, content_block_stop, message_stop
        }
    }

    private var text: String {
        blocks.keys.sorted().compactMap { blocks[$0]!.type == "text" ? blocks[$0]!.text : nil }.joined(separator: "\n")
    }

    func response() throws -> LLMResponse {
        guard started else { throw failure("empty stream") }
        let calls = blocks.keys.sorted().compactMap { i -> ToolCall? in
            let b = blocks[i]!
            guard b.type == "tool_use" else { return nil }
            return ToolCall(
                id: b.id.flatMap { $0.isEmpty ? nil : $0 } ?? "toolu_\(i)", name: b.name ?? "",
                arguments: b.json.isEmpty ? "{}" : b.json)
        }
        let usage = inputTokens.map { LLMUsage(promptTokens: $0, completionTokens: outputTokens ?? 0) }
        return LLMResponse(content: text, toolCalls: calls, finishReason: stopReason, usage: usage)
    }

    private func failure(_ detail: String) -> ProviderError {
        .redacted(provider: provider, kind: .invalidResponse, detail: detail, transport: transport)
    }

    private struct Event: Decodable {
        var type: String
        var index: Int?
        var message: Message?
        var content_block: ContentBlock?
        var delta: Delta?
        var usage: AnthropicWire.Usage?
        var error: ErrorBody?
    }

    private struct Message: Decodable { var usage: AnthropicWire.Usage? }

    private struct ContentBlock: Decodable {
        var type: String
        var text: String?
        var id: String?
        var name: String?
    }

    private struct Delta: Decodable {
        var text: String?
        var partial_json: String?
        var stop_reason: String?
    }

    private struct ErrorBody: Decodable { var message: String? }
}
