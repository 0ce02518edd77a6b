/// `agents`: defaults plus the optional list of agents.
public struct AgentsConfig: Sendable, Equatable {
    /// `agents.defaults`.
    public let defaults: AgentDefaults
    /// `agents.list` (empty = one implicit agent `main`).
    public let list: [AgentEntry]

    /// Creates the section.
    public init(defaults: AgentDefaults = AgentDefaults(), list: [AgentEntry] = []) {
        self.defaults = defaults
        self.list = list
    }
}

/// `agents.defaults`.
public struct AgentDefaults: Sendable, Equatable {
    /// `workspace`: absolute, `~` expanded (default `$PICOCLAW_HOME/workspace`).
    public let workspace: String
    /// `restrict_to_workspace` (default `true`).
    public let restrictToWorkspace: Bool
    /// `model` (or `model_name` when `model` is empty); `""` = not configured.
    public let model: String
    /// `max_tokens` (default 8192).
    public let maxTokens: Int
    /// `temperature` (default 0.7).
    public let temperature: Double
    /// `max_tool_iterations` (default 20).
    public let maxToolIterations: Int
    /// `max_history_messages` (default 40): bounded session context.
    public let maxHistoryMessages: Int
    /// `model_fallbacks`: models tried in order when the model's provider is rate-limited, down or unreachable.
    public let modelFallbacks: [String]
    /// `context_window` in tokens (default 128000): the window of the model (the smallest, with fallbacks).
    public let contextWindow: Int
    /// `summarize_at` (default 0.75, 0.2–0.95): share of ``contextWindow`` at which older turns are summarised.
    public let summarizeAt: Double
    /// `memory_scope`: notes per agent or per sender (`nil`: per sender when more than one user is allowed).
    public let memoryScope: MemoryScope?
    /// `memory_max_bytes` (default 8192, > 0): largest MEMORY.md read into the prompt.
    public let memoryMaxBytes: Int
    /// `timezone`: IANA zone schedules are read in (`""`: the system zone).
    public let timezone: String

    /// Creates the defaults.
    public init(
        workspace: String = "/var/lib/picoclaw/workspace", restrictToWorkspace: Bool = true, model: String = "",
        maxTokens: Int = 8192, temperature: Double = 0.7, maxToolIterations: Int = 20,
        maxHistoryMessages: Int = 40, modelFallbacks: [String] = [], contextWindow: Int = 128_000,
        summarizeAt: Double = 0.75, memoryScope: MemoryScope? = nil, memoryMaxBytes: Int = 8192,
        timezone: String = ""
    ) {
        self.timezone = timezone
        self.modelFallbacks = modelFallbacks
        self.contextWindow = contextWindow
        self.summarizeAt = summarizeAt
        self.memoryScope = memoryScope
        self.memoryMaxBytes = memoryMaxBytes
        self.workspace = workspace
        self.restrictToWorkspace = restrictToWorkspace
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.maxToolIterations = maxToolIterations
        self.maxHistoryMessages = maxHistoryMessages
    }
}

/// Whose notes the `memory` tool and MEMORY.md hold: one file per agent, or one per sender of that agent.
public enum MemoryScope: String, Sendable, Equatable, CaseIterable {
    case agent, sender
}

/// A model reference: `"model"` or `{"primary": "model", "fallbacks": ["other"]}`.
public struct AgentModel: Sendable, Equatable {
    /// The model to use.
    public let primary: String
    /// Models to try, in order, when the primary fails.
    public let fallbacks: [String]

    /// Creates a model reference.
    public init(primary: String, fallbacks: [String] = []) {
        self.primary = primary
        self.fallbacks = fallbacks
    }
}

/// One `agents.list[]` entry as written (optional fields stay optional; see ``ResolvedAgent``).
public struct AgentEntry: Sendable, Equatable {
    /// Normalised id (`[a-z0-9][a-z0-9_-]{0,63}`).
    public let id: String
    /// `default`.
    public let isDefault: Bool
    /// `name`.
    public let name: String?
    /// `workspace`: absolute and `~` expanded when set.
    public let workspace: String?
    /// `model`.
    public let model: AgentModel?
    /// `restrict_to_workspace` (falls back to `agents.defaults.restrict_to_workspace`).
    public let restrictToWorkspace: Bool?
    /// `memory_scope` (falls back to `agents.defaults.memory_scope`).
    public let memoryScope: MemoryScope?
    /// `context_window` (falls back to `agents.defaults.context_window`).
    public let contextWindow: Int?

    /// Creates an entry (the id is normalised).
    public init(
        id: String, isDefault: Bool = false, name: String? = nil, workspace: String? = nil,
        model: AgentModel? = nil, restrictToWorkspace: Bool? = nil, memoryScope: MemoryScope? = nil,
        contextWindow: Int? = nil
    ) {
        self.memoryScope = memoryScope
        self.contextWindow = contextWindow
        self.id = AgentID.normalize(id)
        self.isDefault = isDefault
        self.name = name
        self.workspace = workspace
        self.model = model
        self.restrictToWorkspace = restrictToWorkspace
    }
}

/// An agent with every setting resolved (see ``PicoConfiguration/resolvedAgents()``).
public struct ResolvedAgent: Sendable, Equatable {
    /// Normalised id.
    public let id: String
    /// Display name (`name`, else the id).
    public let name: String
    /// Absolute workspace directory.
    public let workspace: String
    /// Model (the agent's, else `agents.defaults.model`); may be `""` when none is configured.
    public let model: String
    /// Fallback models (from the agent's `{"primary", "fallbacks"}` form).
    public let modelFallbacks: [String]
    /// Whether file and exec tools are confined to ``workspace`` (per agent, falling back to the defaults).
    public let restrictToWorkspace: Bool
    /// `true` for exactly one agent.
    public let isDefault: Bool
    /// The configured memory scope (`nil`: decided from the number of allowed users).
    public let memoryScope: MemoryScope?
    /// The model's context window in tokens.
    public let contextWindow: Int

    /// Creates a resolved agent.
    public init(
        id: String, name: String, workspace: String, model: String, modelFallbacks: [String] = [],
        restrictToWorkspace: Bool, isDefault: Bool, memoryScope: MemoryScope? = nil,
        contextWindow: Int = 128_000
    ) {
        self.memoryScope = memoryScope
        self.contextWindow = contextWindow
        self.id = id
        self.name = name
        self.workspace = workspace
        self.model = model
        self.modelFallbacks = modelFallbacks
        self.restrictToWorkspace = restrictToWorkspace
        self.isDefault = isDefault
    }
}
