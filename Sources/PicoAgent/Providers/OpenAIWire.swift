import PicoConfig

/// Wire format of OpenAI-compatible `POST /chat/completions` (only the fields picoclaw uses).
enum OpenAIWire {
    struct Request: Encodable {
        var model: String
        var messages: [Message]
        // `tools` is spliced in pre-encoded (EncodedToolDefinitions).
        var tool_choice: String?
        var max_tokens: Int?
        var max_completion_tokens: Int?
        var temperature: Double?
    }

    /// OpenAI reasoning models (o1/o3/o4, gpt-5) want `max_completion_tokens` and reject a custom temperature.
    static func isReasoningModel(_ model: String) -> Bool {
        let id = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
        return id.hasPrefix("o1") || id.hasPrefix("o3") || id.hasPrefix("o4") || id.hasPrefix("gpt-5")
    }

    struct Message: Encodable {
        var role: String
        var content: String?
        var tool_calls: [OutCall]?
        var tool_call_id: String?
        /// When set, `content` is sent as parts: the text, then each picture as an `image_url` data URL.
        var images: [ImageInput]? = nil

        enum CodingKeys: String, CodingKey { case role, content, tool_calls, tool_call_id }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            if let images, !images.isEmpty {
                var parts: [JSONValue] = [.object(["type": .string("text"), "text": .string(content ?? "")])]
                for image in images {
                    parts.append(
                        .object([
                            "type": .string("image_url"),
                            "image_url": .object(["url": .string("data:\(image.mimeType);base64,\(image.base64)")]),
                        ]))
                }
                try c.encode(JSONValue.array(parts), forKey: .content)
            } else {
                try c.encode(content, forKey: .content)
            }
            try c.encodeIfPresent(tool_calls, forKey: .tool_calls)
            try c.encodeIfPresent(tool_call_id, forKey: .tool_call_id)
        }
    }

    struct OutCall: Encodable {
        var id: String
        var type = "function"
        var function: OutFunction
    }

    struct OutFunction: Encodable {
        var name: String
        var arguments: String
    }

    struct Tool: Encodable {
        var type = "function"
        var function: FunctionSpec
    }

    struct FunctionSpec: Encodable {
        var name: String
        var description: String
        var parameters: JSONValue
    }

    struct Response: Decodable {
        var choices: [Choice]?
        var usage: Usage?
        var error: JSONValue?
    }

    struct Choice: Decodable {
        var message: ResponseMessage?
        var finish_reason: String?
    }

    struct ResponseMessage: Decodable {
        var content: String?
        var tool_calls: [InCall]?
    }

    struct InCall: Decodable {
        var id: String?
        var function: InFunction
    }

    struct InFunction: Decodable {
        var name: String
        /// A JSON string per the spec; some servers (Ollama) send an object instead.
        var arguments: JSONValue?
    }

    struct Usage: Decodable {
        var prompt_tokens: Int?
        var completion_tokens: Int?
        /// OpenRouter: the call's cost in US dollars.
        var cost: Double?
    }

    /// Maps picoclaw messages to the wire format.
    static func messages(_ messages: [ChatMessage]) -> [Message] {
        messages.map { m in
            switch m.role {
            case .assistant where m.hasToolCalls:
                return Message(
                    role: "assistant", content: m.content.isEmpty ? nil : m.content,
                    tool_calls: (m.toolCalls ?? []).map {
                        OutCall(id: $0.id, function: OutFunction(name: $0.name, arguments: $0.arguments))
                    })
            case .tool:
                return Message(role: "tool", content: m.content, tool_call_id: m.toolCallId)
            default:
                return Message(role: m.role.rawValue, content: m.content, images: m.images)
            }
        }
    }
}
