/// Keeps session history bounded and well-formed for the providers.
enum HistoryTrimmer {
    /// The newest messages, at most `limit`, starting at a user message so that an assistant tool-call message
    /// is never separated from its tool results (and Anthropic's "first message is user" rule holds).
    /// When the window holds no user message, it starts at the first non-tool message instead.
    static func trim(_ messages: [ChatMessage], limit: Int) -> [ChatMessage] {
        let limit = max(1, limit)
        guard messages.count > limit else { return messages }
        let windowStart = messages.count - limit
        if let userStart = messages[windowStart...].firstIndex(where: { $0.role == .user }) {
            return Array(messages[userStart...])
        }
        if let start = messages[windowStart...].firstIndex(where: { $0.role != .tool }) {
            return Array(messages[start...])
        }
        return []
    }

    /// Drops system messages and tool results that answer no preceding call, and adds an error result for
    /// every call left unanswered (a crash mid-turn), so the providers accept the history.
    static func repair(_ messages: [ChatMessage]) -> [ChatMessage] {
        var out: [ChatMessage] = []
        out.reserveCapacity(messages.count)
        var pending: [ToolCall] = []
        func flushPending() {
            for call in pending {
                out.append(
                    .tool(
                        callID: call.id, name: call.name,
                        content: "Error: no result was recorded for this call (the turn was interrupted)"))
            }
            pending.removeAll()
        }
        for m in messages {
            switch m.role {
            case .system:
                continue
            case .tool:
                guard let id = m.toolCallId, let i = pending.firstIndex(where: { $0.id == id }) else { continue }
                pending.remove(at: i)
                out.append(m)
            case .assistant, .user:
                flushPending()
                out.append(m)
                if m.role == .assistant { pending = m.toolCalls ?? [] }
            }
        }
        flushPending()
        return out
    }
}
