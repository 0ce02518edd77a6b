import PicoConfig

/// Wire format of Anthropic's `POST /v1/messages` with tool use (only the fields picoclaw uses).
enum AnthropicWire {
    struct Request: Encodable {
        var model: String
        var max_tokens: Int
        var system: String?
        var messages: [Message]
        // `tools` is spliced in pre-encoded (EncodedToolDefinitions).
        var temperature: Double?
    }

    struct Message: Encodable {
        var role: String
        var content: [Block]
    }

    /// An outbound content block: `text`, `tool_use` or `tool_result`.
    struct Block: Encodable {
        var type: String
        var text: String?
        var id: String?
        var name: String?
        var input: JSONValue?
        var tool_use_id: String?
        var content: String?
        /// An image block's `{"type":"base64","media_type":…,"data":…}`.
        var source: JSONValue? = nil
    }

    struct Tool: Encodable {
        var name: String
        var description: String
        var input_schema: JSONValue
    }

    struct Response: Decodable {
        var content: [ResponseBlock]?
        var stop_reason: String?
        var usage: Usage?
    }

    struct ResponseBlock: Decodable {
        var type: String
        var text: String?
        var id: String?
        var name: String?
        var input: JSONValue?
    }

    struct Usage: Decodable {
        var input_tokens: Int?
        var output_tokens: Int?
    }

    /// System messages become the top-level `system`; tool results become `tool_result` blocks of a user
    /// message; consecutive same-role messages are merged (the API wants alternating roles).
    static func convert(_ messages: [ChatMessage]) -> (system: String?, messages: [Message]) {
        var system: [String] = []
        var out: [Message] = []
        func append(_ role: String, _ blocks: [Block]) {
            guard !blocks.isEmpty else { return }
            if let last = out.last, last.role == role {
                out[out.count - 1].content.append(contentsOf: blocks)
            } else {
                out.append(Message(role: role, content: blocks))
            }
        }
        for m in messages {
            switch m.role {
            case .system:
                system.append(m.content)
            case .user:
                let pictures = (m.images ?? []).map { image in
                    Block(
                        type: "image",
                        source: .object([
                            "type": .string("base64"), "media_type": .string(image.mimeType),
                            "data": .string(image.base64),
                        ]))
                }
                append("user", pictures + [Block(type: "text", text: m.content.isEmpty ? " " : m.content)])
            case .assistant:
                var blocks: [Block] = []
                if !m.content.isEmpty { blocks.append(Block(type: "text", text: m.content)) }
                for call in m.toolCalls ?? [] {
                    var input = JSONValue.parse(call.arguments) ?? .object([:])
                    if case .object = input {} else { input = .object([:]) }
                    blocks.append(Block(type: "tool_use", id: call.id, name: call.name, input: input))
                }
                if blocks.isEmpty { blocks.append(Block(type: "text", text: " ")) }
                append("assistant", blocks)
            case .tool:
                append("user", [Block(type: "tool_result", tool_use_id: m.toolCallId ?? "", content: m.content)])
            }
        }
        // The Messages API wants the conversation to open with a user turn (trimmed history may not).
        if out.first?.role == "assistant" {
            out.insert(
                Message(role: "user", content: [Block(type: "text", text: "(earlier conversation omitted)")]), at: 0)
        }
        return (system.isEmpty ? nil : system.joined(separator: "\n\n"), out)
    }
}
