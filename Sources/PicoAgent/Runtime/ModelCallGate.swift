/// Budgets around model calls (the gateway's per-sender `limits.*`), consulted by ``AgentRuntime`` in its tool loop.
public protocol ModelCallGate: Sendable {
    /// Called before every model call; a non-`nil` text refuses the call and ends the turn with that text.
    func admitModelCall(model: String) async -> String?
    /// Called after every model call that reported usage and asked for tools (more calls may follow).
    func recordModelCall(model: String, usage: LLMUsage) async
    /// Called instead of ``recordModelCall(model:usage:)`` after a call that answered without tool calls: no other
    /// call follows in the turn, so a gate may keep the figures for the commit that records the turn's reply.
    func recordFinalModelCall(model: String, usage: LLMUsage) async
}

extension ModelCallGate {
    /// Records the final call like any other.
    public func recordFinalModelCall(model: String, usage: LLMUsage) async {
        await recordModelCall(model: model, usage: usage)
    }
}
