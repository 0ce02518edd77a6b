import PicoConfig
import PicoHTTP

extension OpenAICompatibleProvider {
    /// A streamed completion (`"stream": true`): text deltas go to `observer` as they arrive; the assembled
    /// answer (text, tool calls, usage) is returned like ``complete(_:)`` would.
    func streamed(
        _ request: LLMRequest, observer: @escaping @Sendable (ReplyProgress) -> Void
    ) async throws -> LLMResponse {
        let assembly = OpenAIStreamAssembly(provider: name, transport: transport, observer: observer)
        let plain = try await transport.stream(httpRequest(for: request, stream: true)) { try assembly.add($0) }
        if let plain {  // the server answered without streaming
            let response = try parse(
                try transport.read(OpenAIWire.Response.self, from: HTTPResponse(status: 200, headers: [], body: plain)))
            if !response.content.isEmpty { observer(.text(response.content)) }
            return response
        }
        return try assembly.response()
    }
}

/// Assembles `chat.completion.chunk` events: content deltas, tool calls by `index` (id and name first,
/// arguments in pieces), the finish reason and the final usage chunk.
final class OpenAIStreamAssembly {
    private let provider: String
    private let transport: ProviderTransport
    private let observer: @Sendable (ReplyProgress) -> Void
    private var text = ""
    private var calls: [Int: (id: String?, name: String, arguments: String)] = [:]
    private var finishReason: String?
    private var usage: LLMUsage?
    private var sawChunk = false

    init(provider: String, transport: ProviderTransport, observer: @escaping @Sendable (ReplyProgress) -> Void) {
        self.provider = provider
        self.transport = transport
        self.observer = observer
    }

    func add(_ event: SSEEvent) throws {
        let data = event.data.trimmedSpaces
        guard data != "[DONE]", !data.isEmpty else { return }
        guard let chunk = try? JSONObjectReader.read(Chunk.self, from: Array(data.utf8)) else {
            throw ProviderError.redacted(
                provider: provider, kind: .invalidResponse,
                detail: "unreadable stream chunk", transport: transport)
        }
        if let error = chunk.error {
            throw ProviderError.redacted(
                provider: provider, kind: .invalidResponse,
                detail: ProviderTransport.errorMessage(fromBody: Array(error.compact.utf8)),
                transport: transport)
        }
        sawChunk = true
        if let u = chunk.usage {
            usage = LLMUsage(promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0)
        }
        guard let choice = chunk.choices?.first else { return }
        if let reason = choice.finish_reason { finishReason = reason }
        if let piece = choice.delta?.content, !piece.isEmpty {
            text += piece
            observer(.text(text))
        }
        for (position, call) in (choice.delta?.tool_calls ?? []).enumerated() {
            let index = call.index ?? position
            var entry = calls[index] ?? (nil, "", "")
            if let id = call.id, !id.isEmpty { entry.id = id }
            if let name = call.function?.name, !name.isEmpty {
                if entry.name.isEmpty {
                    entry.name = name
                    observer(.tool(name))
                }
            }
            switch call.function?.arguments {
            case .string(let s)?: entry.arguments += s
            case nil, .null?: break
            case let other?: entry.arguments += other.compact  // Ollama-style object arguments
            }
            calls[index] = entry
        }
    }

    func response() throws -> LLMResponse {
        guard sawChunk else {
            throw ProviderError.redacted(
                provider: provider, kind: .invalidResponse, detail: "empty stream", transport: transport)
        }
        let batch = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let toolCalls = calls.keys.sorted().map { i -> ToolCall in
            let c = calls[i]!
            return ToolCall(
                id: c.id ?? "call_\(batch)_\(i)", name: c.name, arguments: c.arguments.isEmpty ? "{}" : c.arguments)
        }
        return LLMResponse(content: text, toolCalls: toolCalls, finishReason: finishReason, usage: usage)
    }

    struct Chunk: JSONReadable {
        var choices: [Choice]?
        var usage: OpenAIWire.Usage?
        var error: JSONValue?

        init(json: JSONObjectReader) throws(JSONReadError) {
            choices = try json.array(ifPresent: "choices")
            usage = try json.object(ifPresent: "usage")
            error = json.value("error")
        }
    }

    struct Choice: JSONReadable {
        var delta: Delta?
        var finish_reason: String?

        init(json: JSONObjectReader) throws(JSONReadError) {
            delta = try json.object(ifPresent: "delta")
            finish_reason = try json.string(ifPresent: "finish_reason")
        }
    }

    struct Delta: JSONReadable {
        var content: String?
        var tool_calls: [Call]?

        init(json: JSONObjectReader) throws(JSONReadError) {
            content = try json.string(ifPresent: "content")
            tool_calls = try json.array(ifPresent: "tool_calls")
        }
    }

    struct Call: JSONReadable {
        var index: Int?
        var id: String?
        var function: Function?

        init(json: JSONObjectReader) throws(JSONReadError) {
            index = try json.int(ifPresent: "index")
            id = try json.string(ifPresent: "id")
            function = try json.object(ifPresent: "function")
        }
    }

    struct Function: JSONReadable {
        var name: String?
        var arguments: JSONValue?

        init(json: JSONObjectReader) throws(JSONReadError) {
            name = try json.string(ifPresent: "name")
            arguments = json.value("arguments")
        }
    }
}
