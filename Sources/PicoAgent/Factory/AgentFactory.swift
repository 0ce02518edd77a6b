import Glibc
import Logging
import PicoConfig
import PicoHTTP
import PicoPolicy
import PicoState
import PicoSystem

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
        /// Resolves host names for the web tools; `nil` uses the system resolver.
        public var webResolver: (any HostResolver)?
        /// Time zone of schedules (`agents.defaults.timezone`; set by ``make(from:redactor:auditSink:logger:options:)``).
        var scheduleTimeZone = ""
        /// Provider cool-downs after failures (`nil`: a fresh 60 s set for the system).
        public var providerCooldowns: ProviderCooldowns?
        /// Test-only: web tools may reach 127.0.0.0/8 and ::1 (loopback fakes). No config key or env var sets it.
        public var webAllowsLoopbackForTesting: Bool
        /// Decides on commands `tools.exec.approval` holds (the gateway asks the owner); `nil`: held commands are
        /// denied (the CLI has nobody to ask).
        public var execApprover: (any ExecApprover)?

        /// Creates options; the defaults suit the gateway.
        public init(
            requireProvider: Bool = false, retry: RetryPolicy = .standard, stateStore: StateStore? = nil,
            commandRunner: (any CommandRunner)? = nil, approver: (any ExecApprover)? = nil,
            webResolver: (any HostResolver)? = nil, webAllowsLoopbackForTesting: Bool = false,
            providerCooldowns: ProviderCooldowns? = nil
        ) {
            self.providerCooldowns = providerCooldowns
            self.execApprover = approver
            self.requireProvider = requireProvider
            self.retry = retry
            self.stateStore = stateStore
            self.commandRunner = commandRunner
            self.webResolver = webResolver
            self.webAllowsLoopbackForTesting = webAllowsLoopbackForTesting
        }
    }

    /// Builds the system from a loaded configuration (uses its redactor).
    public static func make(
        from loaded: LoadedConfig, auditSink: ToolAuditSink? = nil,
        logger: Logger = Logger(label: "picoclaw.agent"),
        options: Options = Options()
    ) throws(AgentFactoryError) -> AgentSystem {
        try make(from: loaded.config, redactor: loaded.redactor, auditSink: auditSink, logger: logger, options: options)
    }

    /// Builds the system from a configuration.
    /// - Throws: ``AgentFactoryError`` for a workspace that cannot be created, an invalid exec policy, or (with
    ///   `requireProvider`) a missing provider/API key.
    public static func make(
        from config: PicoConfiguration, redactor: SecretRedactor, auditSink: ToolAuditSink? = nil,
        logger: Logger = Logger(label: "picoclaw.agent"),
        options: Options = Options()
    ) throws(AgentFactoryError) -> AgentSystem {
        let redactor = redactor.isEmpty ? SecretRedactor(secrets: config.allSecrets) : redactor
        let d = config.agents.defaults
        var warnings: [String] = []
        var runtimes: [AgentRuntime] = []
        var defaultID = AgentID.main
        let cooldowns = options.providerCooldowns ?? ProviderCooldowns()
        var options = options
        options.scheduleTimeZone = d.timezone
        for agent in config.resolvedAgents() {
            if agent.isDefault { defaultID = agent.id }
            let (provider, modelID, reason, fallbackWarnings) = try makeProvider(
                for: agent, config: config, redactor: redactor, options: options, cooldowns: cooldowns, logger: logger)
            warnings += fallbackWarnings.map { "agent \(agent.id): \($0)" }
            try createDirectory(agent.workspace)
            var settings = AgentSettings(
                id: agent.id, name: agent.name, workspace: agent.workspace, model: modelID,
                providerName: provider?.name, restrictToWorkspace: agent.restrictToWorkspace,
                maxTokens: d.maxTokens, temperature: d.temperature, maxToolIterations: d.maxToolIterations,
                maxHistoryMessages: d.maxHistoryMessages, contextWindow: agent.contextWindow, summarizeAt: d.summarizeAt
            )
            settings.supportsVision = config.media.supportsVision(modelID)
            let memory = MemoryStore(
                scope: memoryScope(for: agent, config: config), workspace: agent.workspace,
                senderRoot: config.picoclawHome + (config.picoclawHome.hasSuffix("/") ? "" : "/")
                    + "memory/\(agent.id)",
                maxBytes: d.memoryMaxBytes, redactor: redactor)
            let (tools, toolWarnings) = try makeTools(
                for: agent, config: config.tools, redactor: redactor,
                options: options, memory: memory)
            warnings += toolWarnings.map { "agent \(agent.id): \($0)" }
            let sessions: (any SessionBackend)? = options.stateStore.map {
                StateSessionStore(
                    store: $0, agentID: agent.id, maxHistoryMessages: d.maxHistoryMessages, redactor: redactor)
            }
            runtimes.append(
                AgentRuntime(
                    settings: settings, provider: provider, notReadyReason: reason, tools: tools,
                    sessions: sessions, redactor: redactor, auditSink: auditSink, logger: logger,
                    memory: memory))
        }
        let router = AgentRouter(
            bindings: config.bindings, agentIDs: runtimes.map(\.settings.id), defaultAgentID: defaultID)
        for b in router.bindingsWithUnknownAgents {
            warnings.append(
                "binding for channel \(b.match.channel) names unknown agent \(b.agentID); the default agent \(defaultID) answers instead"
            )
        }
        return AgentSystem(agents: runtimes, defaultAgentID: defaultID, router: router, warnings: warnings)
    }

    /// The provider for `settings` (`anthropic` → ``AnthropicProvider``, anything else → ``OpenAICompatibleProvider``).
    public static func makeProvider(
        _ settings: ProviderSettings, redactor: SecretRedactor, retry: RetryPolicy = .standard,
        logger: Logger = Logger(label: "picoclaw.agent.provider")
    ) -> any LLMProvider {
        settings.name == "anthropic"
            ? AnthropicProvider(settings: settings, redactor: redactor, retry: retry, logger: logger)
            : OpenAICompatibleProvider(settings: settings, redactor: redactor, retry: retry, logger: logger)
    }

    /// Connection settings of provider `name` from the config (default api_base when unset).
    public static func providerSettings(
        name: String, config: ProviderConfig
    ) throws(AgentFactoryError) -> ProviderSettings {
        guard let base = nonEmpty(config.apiBase) ?? ProviderCatalog.defaultAPIBases[name] else {
            throw AgentFactoryError("providers.\(name).api_base is required: \(name) is not a known provider")
        }
        return ProviderSettings(
            name: name, apiKey: config.apiKey, apiBase: base, proxy: nonEmpty(config.proxy),
            requestTimeout: .seconds(max(1, config.requestTimeout)))
    }

    // MARK: - Private

    private static func makeProvider(
        for agent: ResolvedAgent, config: PicoConfiguration, redactor: SecretRedactor,
        options: Options, cooldowns: ProviderCooldowns, logger: Logger
    )
        throws(AgentFactoryError) -> (
            provider: (any LLMProvider)?, modelID: String, notReadyReason: String?, warnings: [String]
        )
    {
        switch ModelResolver.resolve(model: agent.model, providers: config.providers) {
        case .failure(let e):
            if options.requireProvider { throw AgentFactoryError(e.message) }
            return (nil, agent.model, "no LLM provider configured (\(e.message))", [])
        case .success(let sel):
            let pc = config.providers[sel.provider]!
            if pc.apiKey.isEmpty && !ProviderCatalog.keylessProviders.contains(sel.provider)
                && nonEmpty(pc.apiBase) == nil
            {
                let msg =
                    "provider \(sel.provider) has no API key: set providers.\(sel.provider).api_key (or \(ConfigSchema.envName(for: "providers.\(sel.provider).api_key")))"
                if options.requireProvider { throw AgentFactoryError(msg) }
                return (nil, sel.modelID, msg, [])
            }
            var providers: [String: any LLMProvider] = [:]
            func provider(_ name: String) throws(AgentFactoryError) -> any LLMProvider {
                if let p = providers[name] { return p }
                let p = makeProvider(
                    try providerSettings(name: name, config: config.providers[name]!), redactor: redactor,
                    retry: options.retry, logger: logger)
                providers[name] = p
                return p
            }
            let primary = try provider(sel.provider)
            var candidates = [ModelCandidate(provider: primary, modelID: sel.modelID)]
            var warnings: [String] = []
            for fallback in agent.modelFallbacks {
                // A fallback must name a configured provider explicitly; guessing one would hide a typo.
                guard case .success(let fb) = ModelResolver.resolve(model: fallback, providers: config.providers),
                    let slash = fallback.firstIndex(of: "/"), fallback[..<slash].lowercased() == fb.provider
                else {
                    warnings.append(
                        "model fallback \(fallback) names no configured provider (write it as <provider>/<model>); it is skipped"
                    )
                    continue
                }
                candidates.append(ModelCandidate(provider: try provider(fb.provider), modelID: fb.modelID))
            }
            let chosen: any LLMProvider =
                candidates.count == 1
                ? primary
                : FallbackProvider(candidates: candidates, cooldowns: cooldowns, logger: logger)
            return (chosen, sel.modelID, nil, warnings)
        }
    }

    private static func makeTools(
        for agent: ResolvedAgent, config: ToolsConfig, redactor: SecretRedactor,
        options: Options, memory: MemoryStore
    ) throws(AgentFactoryError) -> (ToolRegistry, [String]) {
        let exec = config.exec
        let runner = options.commandRunner
        let workspace: Workspace
        do {
            workspace = try Workspace(
                root: agent.workspace, restrictToWorkspace: agent.restrictToWorkspace,
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
                policy = try CommandPolicy(
                    workspace: workspace, restrictToWorkspace: agent.restrictToWorkspace,
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
                let sandboxed = SandboxedCommandRunner(
                    workspace: workspace,
                    restrictToWorkspace: agent.restrictToWorkspace, exec: exec)
                // The sandbox being off for an unrestricted agent is the configuration, not news.
                if agent.restrictToWorkspace { warnings += sandboxed.warnings }
                chosen = sandboxed
            }
            let risk = ExecRisk(
                mode: ExecApprovalMode(rawValue: exec.approval) ?? .risky, patterns: exec.approvalPatterns)
            tools.append(
                ExecTool(
                    policy: policy, runner: chosen, timeoutSeconds: exec.timeoutSeconds,
                    approval: (risk, options.execApprover ?? DenyingApprover())))
        }
        tools += makeWebTools(config.web, redactor: redactor, options: options)
        tools.append(MemoryTool(store: memory))
        if config.schedule.enabled, let store = options.stateStore {
            tools.append(
                ScheduleTool(
                    schedules: ScheduleStore(store: store, maxPerOwner: config.schedule.maxPerSender),
                    timeZone: options.scheduleTimeZone))
        }
        return (ToolRegistry(tools: tools, redactor: redactor), warnings)
    }

    /// The configured scope, else `sender` when the enabled channels allow more than one user (or everyone).
    static func memoryScope(for agent: ResolvedAgent, config: PicoConfiguration) -> MemoryScope {
        if let scope = agent.memoryScope { return scope }
        var users = Set<String>()
        let t = config.channels.telegram, d = config.channels.discord
        if t.enabled { users.formUnion(t.allowFrom.map { "telegram:" + $0.lowercased() }) }
        if d.enabled { users.formUnion(d.allowFrom.map { "discord:" + $0.lowercased() }) }
        if users.contains(where: { $0.hasSuffix(":*") }) { return .sender }
        return users.count > 1 ? .sender : .agent
    }

    /// `web_fetch` (unless disabled) and `web_search` (when a provider is configured).
    static func makeWebTools(_ web: WebToolsConfig, redactor: SecretRedactor, options: Options) -> [any Tool] {
        var tools: [any Tool] = []
        if web.fetchEnabled {
            let policy = WebAccessPolicy(
                allowHosts: web.allowHosts, denyHosts: web.denyHosts,
                allowLoopbackForTesting: options.webAllowsLoopbackForTesting)
            let fetcher = WebFetcher(
                policy: policy,
                limits: WebFetchLimits(
                    maxBytes: web.fetchMaxBytes, timeout: .seconds(web.fetchTimeoutSeconds)),
                resolver: options.webResolver ?? SystemHostResolver())
            tools.append(WebFetchTool(fetcher: fetcher, redactor: redactor))
        }
        if let provider = WebSearchProvider(config: web) {
            tools.append(WebSearchTool(provider: provider, maxResults: web.searchMaxResults))
        }
        return tools
    }

    /// `mkdir -p` with mode 0700 for created directories.
    static func createDirectory(_ path: String) throws(AgentFactoryError) {
        let code = Directories.create(path, mode: 0o700)
        if code != 0 {
            throw AgentFactoryError("cannot create workspace \(path): \(errnoText(code))")
        }
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.trimmedSpaces.isEmpty else { return nil }
        return s
    }
}
