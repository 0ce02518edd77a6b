import PicoConfig

/// A session history record: `{"role":…,"content":…,"tool_calls":[{"id","name","arguments"}],"tool_call_id":…,
/// "name":…}` (absent members for `nil`; pictures are never stored). Read and written without `JSONDecoder`/
/// `JSONEncoder`: every turn reads the session's tail and writes its new messages.
extension ChatMessage: JSONReadable {
    public init(json: JSONObjectReader) throws(JSONReadError) {
        let roleName = try json.string("role")
        guard let role = ChatRole(rawValue: roleName) else {
            throw JSONReadError(path: ["role"], problem: "unknown role")
        }
        self.init(
            role: role, content: try json.string("content"), toolCalls: try json.array(ifPresent: "tool_calls"),
            toolCallId: try json.string(ifPresent: "tool_call_id"), name: try json.string(ifPresent: "name"))
    }

    /// The record as compact JSON text.
    public var jsonRecord: String {
        var json = JSONWriter(capacity: content.utf8.count + 64)
        json.beginObject()
        json.member("role", role.rawValue)
        json.member("content", content)
        if let toolCalls {
            json.key("tool_calls")
            json.beginArray()
            for call in toolCalls {
                json.beginObject()
                json.member("id", call.id)
                json.member("name", call.name)
                json.member("arguments", call.arguments)
                json.endObject()
            }
            json.endArray()
        }
        json.member("tool_call_id", toolCallId)
        json.member("name", name)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}

extension ToolCall: JSONReadable {
    public init(json: JSONObjectReader) throws(JSONReadError) {
        self.init(id: try json.string("id"), name: try json.string("name"), arguments: try json.string("arguments"))
    }
}
