/// The effective, validated picoclaw configuration (immutable). Produced by ``ConfigLoader/load(explicitPath:environment:homeDirectory:)``.
public struct PicoConfiguration: Sendable, Equatable {
    /// `agents`.
    public let agents: AgentsConfig
    /// `bindings`.
    public let bindings: [BindingConfig]
    /// `providers`: every provider named in the file or configured through the environment, by name.
    public let providers: [String: ProviderConfig]
    /// `channels`.
    public let channels: ChannelsConfig
    /// `gateway`.
    public let gateway: GatewayConfig
    /// `tools`.
    public let tools: ToolsConfig
    /// `media`.
    public let media: MediaConfig
    /// picoclaw's home directory (`PICOCLAW_HOME`, `~/.picoclaw` or `/etc/picoclaw`); default agent
    /// workspaces `workspace-<id>` live below it.
    public let picoclawHome: String
    /// `limits`.
    public let limits: LimitsConfig

    /// Creates a configuration (for tests and embedding; normal code uses ``ConfigLoader``).
    public init(
        agents: AgentsConfig = AgentsConfig(), bindings: [BindingConfig] = [],
        providers: [String: ProviderConfig] = [:], channels: ChannelsConfig = ChannelsConfig(),
        gateway: GatewayConfig = GatewayConfig(), tools: ToolsConfig = ToolsConfig(),
        picoclawHome: String = "/var/lib/picoclaw", limits: LimitsConfig = LimitsConfig(),
        media: MediaConfig = MediaConfig()
    ) {
        self.limits = limits
        self.media = media
        self.agents = agents
        self.bindings = bindings
        self.providers = providers
        self.channels = channels
        self.gateway = gateway
        self.tools = tools
        self.picoclawHome = picoclawHome
    }

    /// Every agent with its settings resolved, in list order.
    ///
    /// An empty `agents.list` yields one implicit agent `main` using `agents.defaults`. Exactly one agent is the
    /// default: the first with `default: true`, else the first. Workspace: the entry's own, else (default agent or
    /// id `main`) `agents.defaults.workspace`, else `$PICOCLAW_HOME/workspace-<id>`. `restrict_to_workspace` is
    /// honoured per agent and falls back to `agents.defaults.restrict_to_workspace`.
    public func resolvedAgents() -> [ResolvedAgent] {
        let d = agents.defaults
        guard !agents.list.isEmpty else {
            return [
                ResolvedAgent(
                    id: AgentID.main, name: AgentID.main, workspace: d.workspace, model: d.model,
                    modelFallbacks: d.modelFallbacks, restrictToWorkspace: d.restrictToWorkspace,
                    isDefault: true, memoryScope: d.memoryScope, contextWindow: d.contextWindow)
            ]
        }
        let defaultIndex = agents.list.firstIndex(where: \.isDefault) ?? 0
        return agents.list.enumerated().map { index, entry in
            let isDefault = index == defaultIndex
            let workspace =
                entry.workspace
                ?? ((isDefault || entry.id == AgentID.main)
                    ? d.workspace : PathExpansion.join(picoclawHome, "workspace-\(entry.id)"))
            let model = entry.model.map { $0.primary.isEmpty ? d.model : $0.primary } ?? d.model
            return ResolvedAgent(
                id: entry.id, name: entry.name ?? entry.id, workspace: workspace, model: model,
                modelFallbacks: entry.model.map(\.fallbacks).flatMap { $0.isEmpty ? nil : $0 } ?? d.modelFallbacks,
                restrictToWorkspace: entry.restrictToWorkspace ?? d.restrictToWorkspace,
                isDefault: isDefault, memoryScope: entry.memoryScope ?? d.memoryScope,
                contextWindow: entry.contextWindow ?? d.contextWindow)
        }
    }

    /// The default agent (see ``resolvedAgents()``).
    public var defaultAgent: ResolvedAgent { resolvedAgents().first(where: \.isDefault)! }

    /// Every configured non-empty secret (provider keys, bot tokens, the web search key).
    public var allSecrets: [Secret] {
        (providers.keys.sorted().map { providers[$0]!.apiKey }
            + [channels.telegram.token, channels.discord.token, tools.web.searchAPIKey, tools.transcription.apiKey])
            .filter { !$0.isEmpty }
    }
}
