import Glibc
import Logging
import PicoConfig
import PicoPolicy
import PicoState

/// Why the agent system could not be built (a configuration problem; safe to print).
public struct AgentFactoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The explanation (safe to print).
    public let message: String
    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }
    /// Human-readable text (safe to log).
    public var description: String { message }
}

/// Builds an ``AgentSystem`` from the configuration: providers (model prefix → provider), per-agent workspaces,
/// tools, sessions and router.
public enum AgentFactory {
    /// Build options.
    public struct Options: Sendable {
        /// `true` (CLI): a missing provider or API key is an error. `false` (gateway): affected agents answer with
        /// a "not configured" message and ``AgentSystem/readiness`` reports it.
        public var requireProvider: Bool
        /// Provider retry policy.
        public var retry: RetryPolicy
        /// Where sessions live: the gateway's state store; `nil` keeps JSON Lines files in each workspace.
        public var stateStore: StateStore?
        /// Runs approved `exec` commands; `nil` uses PicoPolicy's sandboxed executor.
        public var commandRunner: (any CommandRunner)?

        /// Creates options; the defaults suit the gateway.
        public init(requireProvider: Bool = false, retry: RetryPolicy = .standard, stateStore: StateStore? = nil,
                    commandRunner: (any CommandRunner)? = nil) {
            self.requireProvider = requireProvider
            self.retry = retry
            self.stateStore = stateStore
            self.commandRunner = commandRunner
        }
    }

    /// Builds the system from a loaded configuration (uses its redactor).
    public static func make(from loaded: LoadedConfig, auditSink: ToolAuditSink? = nil,
                            logger: Logger = Logger(label: "picoclaw.agent"),
                            options: Options = Options()) throws(AgentFactoryError) -> AgentSystem {
        try make(from: loaded.config, redactor: loaded.redactor, auditSink: auditSink, logger: logger, options: options)
    }

    /// Builds the system from a configuration.
    /// - Throws: ``AgentFactoryError`` for a workspace that cannot be created, an invalid exec policy, or (with
    ///   `requireProvider`) a missing provider/API key.
    public static func make(from config: PicoConfiguration, redactor: SecretRedactor, auditSink: ToolAuditSink? = nil,
                            logger: Logger = Logger(label: "picoclaw.agent"),
                            options: Options = Options()) throws(AgentFactoryError) -> AgentSystem {
        let redactor = redactor.isEmpty ? SecretRedactor(secrets: config.allSecrets) : redactor
        let d = config.agents.defaults
        var warnings: [String] = []
        var runtimes: [AgentRuntime] = []
        var defaultID = AgentID.main
        for agent in config.resolvedAgents() {
            if agent.isDefault { defaultID = agent.id }
            let (provider, modelID, reason) = try makeProvider(for: agent, config: config, redactor: redactor,
                                                                options: options, logger: logger)
            try createDirectory(agent.workspace)
            var settings = AgentSettings(
                id: agent.id, name: agent.name, workspace: agent.workspace, model: modelID,
                providerName: provider?.name, restrictToWorkspace: agent.restrictToWorkspace,
                maxTokens: d.maxTokens, temperature: d.temperature, maxToolIterations: d.maxToolIterations,
                maxHistoryMessages: d.maxHistoryMessages)
            settings.supportsVision = config.media.supportsVision(modelID)
            let (tools, toolWarnings) = try makeTools(for: agent, exec: config.tools.exec, redactor: redactor,
                                                      runner: options.commandRunner)
            warnings += toolWarnings.map { "agent \(agent.id): \($0)" }
            let sessions: (any SessionBackend)? = options.stateStore.map {
                StateSessionStore(store: $0, agentID: agent.id, maxHistoryMessages: d.maxHistoryMessages, redactor: redactor)
            }
            runtimes.append(AgentRuntime(settings: settings, provider: provider, notReadyReason: reason, tools: tools,
                                         sessions: sessions, redactor: redactor, auditSink: auditSink, logger: logger))
        }
        let router = AgentRouter(bindings: config.bindings, agentIDs: runtimes.map(\.settings.id), defaultAgentID: defaultID)
        for b in router.bindingsWithUnknownAgents {
            warnings.append("binding for channel \(b.match.channel) names unknown agent \(b.agentID); the default agent \(defaultID) answers instead")
        }
        return AgentSystem(agents: runtimes, defaultAgentID: defaultID, router: router, warnings: warnings)
    }

    /// The provider for `settings` (`anthropic` → ``AnthropicProvider``, anything else → ``OpenAICompatibleProvider``).
    public static func makeProvider(_ settings: ProviderSettings, redactor: SecretRedactor, retry: RetryPolicy = .standard,
                                    logger: Logger = Logger(label: "picoclaw.agent.provider")) -> any LLMProvider {
        settings.name == "anthropic"
            ? AnthropicProvider(settings: settings, redactor: redactor, retry: retry, logger: logger)
            : OpenAICompatibleProvider(settings: settings, redactor: redactor, retry: retry, logger: logger)
    }

    /// Connection settings of provider `name` from the config (default api_base when unset).
    public static func providerSettings(name: String, config: ProviderConfig) throws(AgentFactoryError) -> ProviderSettings {
        guard let base = nonEmpty(config.apiBase) ?? ProviderCatalog.defaultAPIBases[name] else {
            throw AgentFactoryError("providers.\(name).api_base is required: \(name) is not a known provider")
        }
        return ProviderSettings(name: name, apiKey: config.apiKey, apiBase: base, proxy: nonEmpty(config.proxy),
                                requestTimeout: .seconds(max(1, config.requestTimeout)))
    }

    // MARK: - Private

    private static func makeProvider(for agent: ResolvedAgent, config: PicoConfiguration, redactor: SecretRedactor,
                                     options: Options, logger: Logger)
        throws(AgentFactoryError) -> (provider: (any LLMProvider)?, modelID: String, notReadyReason: String?)
    {
        switch ModelResolver.resolve(model: agent.model, providers: config.providers) {
        case .failure(let e):
            if options.requireProvider { throw AgentFactoryError(e.message) }
            return (nil, agent.model, "no LLM provider configured (\(e.message))")
        case .success(let sel):
            let pc = config.providers[sel.provider]!
            if pc.apiKey.isEmpty && !ProviderCatalog.keylessProviders.contains(sel.provider) && nonEmpty(pc.apiBase) == nil {
                let msg = "provider \(sel.provider) has no API key: set providers.\(sel.provider).api_key (or \(ConfigSchema.envName(for: "providers.\(sel.provider).api_key")))"
                if options.requireProvider { throw AgentFactoryError(msg) }
                return (nil, sel.modelID, msg)
            }
            let settings = try providerSettings(name: sel.provider, config: pc)
            return (makeProvider(settings, redactor: redactor, retry: options.retry, logger: logger), sel.modelID, nil)
        }
    }

    private static func makeTools(for agent: ResolvedAgent, exec: ExecToolConfig, redactor: SecretRedactor,
                                  runner: (any CommandRunner)?) throws(AgentFactoryError) -> (ToolRegistry, [String]) {
        let workspace: Workspace
        do {
            workspace = try Workspace(root: agent.workspace, restrictToWorkspace: agent.restrictToWorkspace,
                                      maxReadBytes: 64 * 1024)
        } catch {
            throw AgentFactoryError("agent \(agent.id): cannot open workspace \(agent.workspace): \(error)")
        }
        var tools: [any Tool] = [
            ReadFileTool(workspace: workspace), WriteFileTool(workspace: workspace), EditFileTool(workspace: workspace),
            AppendFileTool(workspace: workspace), ListDirTool(workspace: workspace), SendFileTool(workspace: workspace),
        ]
        var warnings: [String] = []
        if exec.enabled {
            let policy: CommandPolicy
            do {
                policy = try CommandPolicy(workspace: workspace, restrictToWorkspace: agent.restrictToWorkspace,
                                           enableDenyPatterns: exec.enableDenyPatterns,
                                           customDenyPatterns: exec.customDenyPatterns)
            } catch {
                throw AgentFactoryError("agent \(agent.id): invalid exec policy: \(error)")
            }
            warnings += policy.warnings
            let chosen: any CommandRunner
            if let runner {
                chosen = runner
            } else {
                do {
                    let sandboxed = try SandboxedCommandRunner(
                        workspace: workspace, restrictToWorkspace: agent.restrictToWorkspace,
                        timeoutSeconds: exec.timeoutSeconds, maxOutputBytes: exec.maxOutputBytes)
                    // Landlock being off for an unrestricted agent is the configuration, not news.
                    if agent.restrictToWorkspace { warnings += sandboxed.warnings }
                    chosen = sandboxed
                } catch {
                    throw AgentFactoryError("agent \(agent.id): cannot set up the exec sandbox: \(error)")
                }
            }
            tools.append(ExecTool(policy: policy, runner: chosen, timeoutSeconds: exec.timeoutSeconds))
        }
        return (ToolRegistry(tools: tools, redactor: redactor), warnings)
    }

    /// `mkdir -p` with mode 0700 for created directories.
    static func createDirectory(_ path: String) throws(AgentFactoryError) {
        var current = path.hasPrefix("/") ? "" : "."
        for comp in path.split(separator: "/") {
            current += "/" + comp
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw AgentFactoryError("cannot create workspace \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.trimmedSpaces.isEmpty else { return nil }
        return s
    }
}
