import PicoConfig

/// A cheap, provider-independent token estimate: about one token per 4 UTF-8 bytes of text (a little high for
/// English, close for code and most other scripts), plus a fixed overhead per message. Used to decide when a
/// conversation needs summarising, not for billing.
public enum TokenEstimator {
    /// Tokens added per message for roles and separators.
    public static let perMessageOverhead = 4

    /// Estimated tokens of `text`.
    public static func estimate(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// Estimated tokens of a message, its tool calls included.
    public static func estimate(_ message: ChatMessage) -> Int {
        var n = perMessageOverhead + estimate(message.content)
        for call in message.toolCalls ?? [] { n += perMessageOverhead + estimate(call.name) + estimate(call.arguments) }
        return n
    }

    /// Estimated tokens of a conversation.
    public static func estimate(_ messages: some Sequence<ChatMessage>) -> Int {
        messages.reduce(0) { $0 + estimate($1) }
    }

    /// Estimated tokens of tool definitions as sent.
    public static func estimate(_ tools: [ToolDefinition]) -> Int {
        tools.reduce(0) {
            $0 + perMessageOverhead + estimate($1.name) + estimate($1.description) + estimate($1.parameters.compact)
        }
    }
}
