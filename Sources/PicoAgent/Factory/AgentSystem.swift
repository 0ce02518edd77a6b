import PicoConfig

/// Whether the agents can answer: the gateway's `/ready` reports ``notReady(_:)`` reasons.
public enum AgentReadiness: Sendable, Equatable, CustomStringConvertible {
    case ready
    /// Why not, e.g. `no LLM provider configured`.
    case notReady(String)

    /// `true` for ``ready``.
    public var isReady: Bool { self == .ready }

    /// Human-readable text (safe to log).
    public var description: String {
        switch self {
        case .ready: "ready"
        case .notReady(let why): "not ready: \(why)"
        }
    }
}

/// Every agent of a configuration plus routing: what the gateway and the CLI use. Ordering and concurrency of
/// turns are the caller's (the gateway's turn scheduler; the CLI runs one turn at a time).
public final class AgentSystem: Sendable {
    /// Agents by id.
    public let agents: [String: AgentRuntime]
    /// Agent ids in config order.
    public let agentIDs: [String]
    /// The agent answering when no binding matches.
    public let defaultAgentID: String
    /// Routes channel messages to agents (PicoClaw binding priority).
    public let router: AgentRouter
    /// ``AgentReadiness/ready`` when every agent has a provider.
    public let readiness: AgentReadiness
    /// Start-up warnings (unknown binding agents, policy warnings); safe to log.
    public let warnings: [String]

    /// Assembles a system (``AgentFactory`` does this from the configuration).
    public init(agents: [AgentRuntime], defaultAgentID: String, router: AgentRouter, warnings: [String] = []) {
        var map: [String: AgentRuntime] = [:]
        for a in agents { map[a.settings.id] = a }
        self.agents = map
        self.agentIDs = agents.map(\.settings.id)
        self.defaultAgentID = defaultAgentID
        self.router = router
        self.warnings = warnings
        let missing = agents.filter { !$0.isReady }
        if missing.isEmpty {
            readiness = .ready
        } else {
            let reasons = Set(missing.compactMap(\.notReadyReason)).sorted()
            readiness = .notReady(reasons.isEmpty ? "no LLM provider configured" : reasons.joined(separator: "; "))
        }
    }

    /// The agent with `id`, if any.
    public func agent(_ id: String) -> AgentRuntime? { agents[id] }

    /// The default agent.
    public var defaultAgent: AgentRuntime { agents[defaultAgentID]! }

    /// The agent and session a channel message goes to (bindings first, then the default agent).
    public func resolve(_ input: RouteInput, chatID: String) -> (agent: AgentRuntime, session: SessionKey) {
        let route = router.route(input, chatID: chatID)
        return (agents[route.agentID] ?? defaultAgent, route.sessionKey)
    }

    /// Routes a channel message to its agent and session and runs the turn. Never throws. The caller must not
    /// run two turns of one session at once.
    public func handle(_ message: InboundText, route input: RouteInput) async -> AgentReply {
        let (agent, session) = resolve(input, chatID: message.chatID)
        return await agent.respond(to: message, session: session)
    }

    /// Runs a turn of agent `agentID` (default agent when `nil`) in an explicit session.
    public func respond(to message: InboundText, agentID: String? = nil, session: SessionKey) async -> AgentReply {
        let agent = agentID.flatMap { agents[$0] } ?? defaultAgent
        return await agent.respond(to: message, session: session)
    }
}
