/// Keeps a session inside the model's context window: when a request would pass ``threshold`` estimated tokens,
/// the oldest turns are summarised by the model into a running summary and dropped from the history. The cut is
/// always at the start of a user turn, so an assistant tool call is never separated from its results.
struct ConversationCompactor: Sendable {
    /// Estimated tokens above which older turns are summarised (`summarize_at` × `context_window`).
    let threshold: Int
    /// Largest answer requested for a summary.
    let summaryMaxTokens: Int

    init(contextWindow: Int, summarizeAt: Double, maxTokens: Int) {
        threshold = max(256, Int(Double(contextWindow) * summarizeAt))
        summaryMaxTokens = max(128, min(maxTokens, 1024))
    }

    /// Where to cut `history` so that the rest fits in 40 % of the threshold after `fixedTokens` (system prompt,
    /// tools, the new message); `nil` when the request fits or there is nothing older than the last turn.
    func cutIndex(history: [ChatMessage], fixedTokens: Int) -> Int? {
        guard fixedTokens + TokenEstimator.estimate(history) > threshold else { return nil }
        let keepBudget = max(0, threshold * 2 / 5 - fixedTokens)
        var kept = 0
        var earliestFitting: Int?
        for i in history.indices.reversed() {
            kept += TokenEstimator.estimate(history[i])
            if kept > keepBudget { break }
            if history[i].role == .user { earliestFitting = i }
        }
        // When even the last turn is over budget, keep just that turn.
        guard let cut = earliestFitting ?? history.lastIndex(where: { $0.role == .user }), cut > 0 else { return nil }
        return cut
    }

    static let instructions = """
        You maintain the running summary of a conversation between a user and an AI assistant. Merge the earlier \
        summary (if any) with the new messages into one compact summary. Keep every fact, name, number, date, \
        preference, decision and open task the user may refer to later, and what tools found or changed; drop \
        greetings and chit-chat. Write plain text in the conversation's language, without preamble.
        """

    /// The summarisation request for `older` messages on top of `summary`.
    func request(model: String, summary: String, older: [ChatMessage]) -> LLMRequest {
        var transcript = ""
        for m in older {
            switch m.role {
            case .user: transcript += "User: \(m.content)\n"
            case .assistant:
                if !m.content.isEmpty { transcript += "Assistant: \(m.content)\n" }
                for call in m.toolCalls ?? [] {
                    transcript += "Assistant called \(call.name)(\(TextLimits.truncate(call.arguments, to: 300)))\n"
                }
            case .tool: transcript += "Result of \(m.name ?? "tool"): \(TextLimits.truncate(m.content, to: 600))\n"
            case .system: continue
            }
        }
        let earlier = summary.isEmpty ? "(none)" : summary
        return LLMRequest(
            model: model,
            messages: [
                .system(ConversationCompactor.instructions),
                .user("Earlier summary:\n\(earlier)\n\nNew messages:\n\(transcript)"),
            ], maxTokens: summaryMaxTokens, temperature: 0.2)
    }

    /// The section appended to the system prompt.
    static func promptSection(_ summary: String) -> String {
        "\n\n---\n\n## Summary of the earlier conversation\n\(summary)"
    }
}
