/// The author of a chat message.
public enum ChatRole: String, Sendable, Equatable {
    case system, user, assistant, tool
}

/// A tool invocation requested by the model. `arguments` is the JSON text of the arguments object,
/// exactly as the model produced it (it may be malformed; tools validate it).
public struct ToolCall: Sendable, Equatable {
    /// Provider-assigned call id, echoed back in the tool result message.
    public var id: String
    /// Tool name.
    public var name: String
    /// JSON text of the arguments object.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// One message of a conversation; one JSON Lines record in a session file.
public struct ChatMessage: Sendable, Equatable {
    public var role: ChatRole
    /// Text content ("" when an assistant message only carries tool calls).
    public var content: String
    /// Tool calls of an assistant message.
    public var toolCalls: [ToolCall]?
    /// For `tool` messages: the id of the call this result answers.
    public var toolCallId: String?
    /// For `tool` messages: the tool name (Anthropic and some OpenAI-compatible servers use it).
    public var name: String?
    /// Pictures sent with a user message, for models that see images. Never written to the session history
    /// (which keeps the text and a note of the stored file).
    public var images: [ImageInput]? = nil

    public init(
        role: ChatRole, content: String, toolCalls: [ToolCall]? = nil, toolCallId: String? = nil,
        name: String? = nil
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
        self.name = name
    }

    /// A system message.
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    /// A user message.
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    /// An assistant message, optionally with tool calls.
    public static func assistant(_ text: String, toolCalls: [ToolCall]? = nil) -> ChatMessage {
        ChatMessage(role: .assistant, content: text, toolCalls: toolCalls?.isEmpty == true ? nil : toolCalls)
    }
    /// A tool result answering `callID`.
    public static func tool(callID: String, name: String, content: String) -> ChatMessage {
        ChatMessage(role: .tool, content: content, toolCallId: callID, name: name)
    }

    /// `true` for an assistant message that requests tools.
    public var hasToolCalls: Bool { !(toolCalls ?? []).isEmpty }
}

/// A picture for the model: its bytes and MIME type (`image/jpeg`, `image/png`, `image/gif`, `image/webp`).
public struct ImageInput: Sendable, Equatable {
    /// The MIME type.
    public var mimeType: String
    /// The file's bytes.
    public var data: [UInt8]

    /// Creates an image.
    public init(mimeType: String, data: [UInt8]) {
        self.mimeType = mimeType
        self.data = data
    }

    /// The bytes as standard base64 (for data URLs and Anthropic image blocks).
    public var base64: String { Base64.encode(data) }
}

/// Standard base64 with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [
                alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)],
            ]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
