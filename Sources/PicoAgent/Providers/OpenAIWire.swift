import PicoConfig

/// Wire format of OpenAI-compatible `POST /chat/completions` (only the fields picoclaw uses).
enum OpenAIWire {
    struct Request {
        var model: String
        var messages: [Message]
        var tool_choice: String?
        var max_tokens: Int?
        var max_completion_tokens: Int?
        var temperature: Double?

        /// The request body: `tools` is the pre-encoded array (EncodedToolDefinitions); `stream` asks for
        /// server-sent events with the usage in the last one.
        func body(tools: [UInt8]?, stream: Bool) -> [UInt8] {
            var json = JSONWriter(capacity: 1024 + (tools?.count ?? 0))
            json.beginObject()
            json.member("model", model)
            json.key("messages")
            json.beginArray()
            for message in messages { message.write(to: &json) }
            json.endArray()
            json.member("tool_choice", tool_choice)
            json.member("max_tokens", max_tokens)
            json.member("max_completion_tokens", max_completion_tokens)
            json.member("temperature", temperature)
            if let tools {
                json.key("tools")
                json.raw(tools)
            }
            if stream {
                json.member("stream", true)
                json.key("stream_options")
                json.beginObject()
                json.member("include_usage", true)
                json.endObject()
            }
            json.endObject()
            return json.bytes
        }
    }

    /// OpenAI reasoning models (o1/o3/o4, gpt-5) want `max_completion_tokens` and reject a custom temperature.
    static func isReasoningModel(_ model: String) -> Bool {
        let id = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
        return id.hasPrefix("o1") || id.hasPrefix("o3") || id.hasPrefix("o4") || id.hasPrefix("gpt-5")
    }

    struct Message {
        var role: String
        var content: String?
        var tool_calls: [OutCall]?
        var tool_call_id: String?
        /// When set, `content` is sent as parts: the text, then each picture as an `image_url` data URL.
        var images: [ImageInput]? = nil

        /// The message object (`content` is `null` when there is none, as the API expects next to tool calls).
        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.member("role", role)
            json.key("content")
            if let images, !images.isEmpty {
                json.beginArray()
                json.beginObject()
                json.member("type", "text")
                json.member("text", content ?? "")
                json.endObject()
                for image in images {
                    json.beginObject()
                    json.member("type", "image_url")
                    json.key("image_url")
                    json.beginObject()
                    json.member("url", "data:\(image.mimeType);base64,\(image.base64)")
                    json.endObject()
                    json.endObject()
                }
                json.endArray()
            } else if let content {
                json.string(content)
            } else {
                json.null()
            }
            if let tool_calls {
                json.key("tool_calls")
                json.beginArray()
                for call in tool_calls {
                    json.beginObject()
                    json.member("id", call.id)
                    json.member("type", call.type)
                    json.key("function")
                    json.beginObject()
                    json.member("name", call.function.name)
                    json.member("arguments", call.function.arguments)
                    json.endObject()
                    json.endObject()
                }
                json.endArray()
            }
            json.member("tool_call_id", tool_call_id)
            json.endObject()
        }
    }

    struct OutCall {
        var id: String
        var type = "function"
        var function: OutFunction
    }

    struct OutFunction {
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

    struct Response: JSONReadable {
        var choices: [Choice]?
        var usage: Usage?
        var error: JSONValue?

        init(json: JSONObjectReader) throws(JSONReadError) {
            choices = try json.array(ifPresent: "choices")
            usage = try json.object(ifPresent: "usage")
            error = json.value("error")
        }
    }

    struct Choice: JSONReadable {
        var message: ResponseMessage?
        var finish_reason: String?

        init(json: JSONObjectReader) throws(JSONReadError) {
            message = try json.object(ifPresent: "message")
            finish_reason = try json.string(ifPresent: "finish_reason")
        }
    }

    struct ResponseMessage: JSONReadable {
        var content: String?
        var tool_calls: [InCall]?

        init(json: JSONObjectReader) throws(JSONReadError) {
            content = try json.string(ifPresent: "content")
            tool_calls = try json.array(ifPresent: "tool_calls")
        }
    }

    struct InCall: JSONReadable {
        var id: String?
        var function: InFunction

        init(json: JSONObjectReader) throws(JSONReadError) {
            id = try json.string(ifPresent: "id")
            function = try json.object("function")
        }
    }

    struct InFunction: JSONReadable {
        var name: String
        /// A JSON string per the spec; some servers (Ollama) send an object instead.
        var arguments: JSONValue?

        init(json: JSONObjectReader) throws(JSONReadError) {
            name = try json.string("name")
            arguments = json.value("arguments")
        }
    }

    struct Usage: JSONReadable {
        var prompt_tokens: Int?
        var completion_tokens: Int?
        /// OpenRouter: the call's cost in US dollars.
        var cost: Double?

        init(json: JSONObjectReader) throws(JSONReadError) {
            prompt_tokens = try json.int(ifPresent: "prompt_tokens")
            completion_tokens = try json.int(ifPresent: "completion_tokens")
            cost = try json.double(ifPresent: "cost")
        }
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
