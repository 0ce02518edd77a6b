import Logging
import PicoAgent
import PicoConfig
import PicoState

/// Builds the agents for the gateway. A missing provider does not stop the gateway: `/ready` reports it.
enum AgentSystemBuilder {
    static func build(
        loaded: LoadedConfig, store: StateStore, metrics: GatewayMetrics = GatewayMetrics(),
        approver: (any ExecApprover)? = nil, logger: Logger
    ) throws(GatewayStartError) -> AgentSystem {
        let audit = Logger(label: "audit")
        // The audit trail: one debug line per tool call (arguments redacted and truncated by PicoAgent).
        let sink: ToolAuditSink = { event in
            audit.debug("tool call \(event)")
            metrics.add(
                "picoclaw_tool_calls_total",
                [("tool", event.tool), ("verdict", event.verdict.allowed ? "allowed" : "denied")])
            if !event.verdict.allowed {
                let kind = event.verdict.rule.map { String($0.split(separator: ":").first ?? "") } ?? "unspecified"
                metrics.add("picoclaw_policy_denials_total", [("rule", kind.isEmpty ? "unspecified" : kind)])
            }
        }
        let system: AgentSystem
        do {
            system = try AgentFactory.make(
                from: loaded, auditSink: sink, logger: Logger(label: "agent"),
                options: AgentFactory.Options(requireProvider: false, stateStore: store, approver: approver))
        } catch {
            throw GatewayStartError(error.description, exitCode: 78)
        }
        for warning in system.warnings { logger.warning("\(warning)") }
        for id in system.agentIDs {
            guard let agent = system.agent(id) else { continue }
            let s = agent.settings
            logger.info(
                "agent \(id): model \(s.model.isEmpty ? "(none)" : s.model), workspace \(s.workspace), restrict_to_workspace \(s.restrictToWorkspace)"
            )
        }
        return system
    }

    /// The state-store session backends of the agents, by agent id.
    static func sessionStores(_ system: AgentSystem) -> [String: StateSessionStore] {
        var out: [String: StateSessionStore] = [:]
        for (id, agent) in system.agents {
            if let backend = agent.sessions as? StateSessionStore { out[id] = backend }
        }
        return out
    }
}
