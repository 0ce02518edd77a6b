import Logging
import PicoAgent
import PicoConfig

/// Builds the agents for the gateway. A missing provider does not stop the gateway: `/ready` reports it.
enum AgentSystemBuilder {
    static func build(loaded: LoadedConfig, logger: Logger) throws(GatewayStartError) -> AgentSystem {
        let audit = Logger(label: "audit")
        // The audit trail: one debug line per tool call (arguments redacted and truncated by PicoAgent).
        let sink: ToolAuditSink = { event in audit.debug("tool call \(event)") }
        let system: AgentSystem
        do {
            system = try AgentFactory.make(from: loaded, auditSink: sink, logger: Logger(label: "agent"),
                                           options: AgentFactory.Options(requireProvider: false))
        } catch {
            throw GatewayStartError(error.description, exitCode: 78)
        }
        for warning in system.warnings { logger.warning("\(warning)") }
        for id in system.agentIDs {
            guard let agent = system.agent(id) else { continue }
            let s = agent.settings
            logger.info("agent \(id): model \(s.model.isEmpty ? "(none)" : s.model), workspace \(s.workspace), restrict_to_workspace \(s.restrictToWorkspace)")
        }
        return system
    }
}
