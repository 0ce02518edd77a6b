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

/// Every agent of a configuration plus routing and dispatch: what the gateway and the CLI use.
public final class AgentSystem: Sendable {
    /// Agents by id.
    public let agents: [String: AgentRuntime]
    /// Agent ids in config order.
    public let agentIDs: [String]
    /// The agent answering when no binding matches.
    public let defaultAgentID: String
    /// Routes channel messages to agents (PicoClaw binding priority).
    public let router: AgentRouter
    /// Serialises turns per session and bounds concurrency.
    public let dispatcher: AgentDispatcher
    /// ``AgentReadiness/ready`` when every agent has a provider.
    public let readiness: AgentReadiness
    /// Start-up warnings (unknown binding agents, policy warnings); safe to log.
    public let warnings: [String]

    /// Assembles a system (``AgentFactory`` does this from the configuration).
    public init(agents: [AgentRuntime], defaultAgentID: String, router: AgentRouter, dispatcher: AgentDispatcher,
                warnings: [String] = []) {
        var map: [String: AgentRuntime] = [:]
        for a in agents { map[a.settings.id] = a }
        self.agents = map
        self.agentIDs = agents.map(\.settings.id)
        self.defaultAgentID = defaultAgentID
        self.router = router
        self.dispatcher = dispatcher
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

    /// Routes a channel message to its agent and session and runs the turn through the dispatcher
    /// (FIFO per session, bounded across sessions). Never throws.
    public func handle(_ message: InboundText, route input: RouteInput) async -> AgentReply {
        let route = router.route(input, chatID: message.chatID)
        let agent = agents[route.agentID] ?? defaultAgent
        return await dispatcher.respond(agent: agent, to: message, session: route.sessionKey)
    }

    /// Runs a turn of agent `agentID` (default agent when `nil`) in an explicit session, through the dispatcher.
    public func respond(to message: InboundText, agentID: String? = nil, session: SessionKey) async -> AgentReply {
        let agent = agentID.flatMap { agents[$0] } ?? defaultAgent
        return await dispatcher.respond(agent: agent, to: message, session: session)
    }

    /// Stops accepting turns and waits for running ones (graceful shutdown).
    @discardableResult
    /// Stops accepting turns and waits up to `timeout` for running ones; `true` when all finished.
    public func drain(timeout: Duration) async -> Bool { await dispatcher.drain(timeout: timeout) }
}
