import Synchronization

/// Tool definitions together with their wire encodings, computed once and reused by every request.
///
/// An agent's tools never change, yet each LLM request carries them; encoding them per request was a visible
/// share of the gateway's CPU. ``ToolRegistry`` holds one instance per agent, ``AgentRuntime`` attaches it to
/// each ``LLMRequest``, and the providers splice the cached JSON array into the request body.
final class EncodedToolDefinitions: Sendable {
    /// The definitions, in the order sent.
    let definitions: [ToolDefinition]
    private let openAICache = Mutex<[UInt8]?>(nil)
    private let anthropicCache = Mutex<[UInt8]?>(nil)

    init(_ definitions: [ToolDefinition]) {
        self.definitions = definitions
    }

    var isEmpty: Bool { definitions.isEmpty }

    /// The OpenAI `tools` array as compact JSON.
    var openAI: [UInt8] {
        cached(openAICache) {
            ProviderTransport.encode(
                definitions.map {
                    OpenAIWire.Tool(
                        function: .init(name: $0.name, description: $0.description, parameters: $0.parameters))
                })
        }
    }

    /// The Anthropic `tools` array as compact JSON.
    var anthropic: [UInt8] {
        cached(anthropicCache) {
            ProviderTransport.encode(
                definitions.map {
                    AnthropicWire.Tool(name: $0.name, description: $0.description, input_schema: $0.parameters)
                })
        }
    }

    private func cached(_ cache: borrowing Mutex<[UInt8]?>, _ make: () -> [UInt8]) -> [UInt8] {
        if let bytes = cache.withLock({ $0 }) { return bytes }
        let bytes = make()  // outside the lock; a racing duplicate encode is harmless
        cache.withLock { $0 = bytes }
        return bytes
    }
}

extension ProviderTransport {
    /// Adds `"key":<value>` to the encoded JSON object `body` (`value` must be valid JSON).
    static func splice(_ body: [UInt8], key: String, value: [UInt8]) -> [UInt8] {
        guard body.last == UInt8(ascii: "}") else { return body }
        var out = body
        out.removeLast()
        out.reserveCapacity(body.count + key.utf8.count + value.count + 8)
        if out.count > 1 { out.append(UInt8(ascii: ",")) }  // `{}` has no members to separate
        out.append(UInt8(ascii: "\""))
        out += key.utf8
        out += #"":"#.utf8
        out += value
        out.append(UInt8(ascii: "}"))
        return out
    }
}
