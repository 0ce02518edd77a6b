/// Budgets around model calls (the gateway's per-sender `limits.*`), consulted by ``AgentRuntime`` in its tool loop.
public protocol ModelCallGate: Sendable {
    /// Called before every model call; a non-`nil` text refuses the call and ends the turn with that text.
    func admitModelCall(model: String) async -> String?
    /// Called after every model call that reported usage.
    func recordModelCall(model: String, usage: LLMUsage) async
}
