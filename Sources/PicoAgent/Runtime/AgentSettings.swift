/// Everything an ``AgentRuntime`` needs to know about its agent (resolved from the config by ``AgentFactory``).
public struct AgentSettings: Sendable, Equatable {
    /// Normalised agent id.
    public var id: String
    /// Display name.
    public var name: String
    /// Absolute workspace directory.
    public var workspace: String
    /// The model id sent to the provider (provider prefix already stripped).
    public var model: String
    /// The provider serving ``model`` (`nil` when none is configured).
    public var providerName: String?
    /// Whether file and exec tools are confined to the workspace.
    public var restrictToWorkspace: Bool
    /// Upper bound for the answer length in tokens.
    public var maxTokens: Int
    /// Sampling temperature (`nil`: provider default).
    public var temperature: Double?
    /// Model calls per message before the loop stops (default 20).
    public var maxToolIterations: Int
    /// Session messages kept as context (default 40).
    public var maxHistoryMessages: Int
    /// The model's context window in tokens (default 128000).
    public var contextWindow: Int
    /// Share of ``contextWindow`` at which older turns are summarised (default 0.75).
    public var summarizeAt: Double
    /// Whether ``model`` accepts pictures; `nil` decides by the model's name (``VisionModels``).
    public var supportsVision: Bool? = nil

    /// Whether pictures are given to the model.
    public var seesImages: Bool { supportsVision ?? VisionModels.likelySeesImages(model) }

    /// Creates settings (iteration and history limits are at least 1).
    public init(
        id: String, name: String? = nil, workspace: String, model: String, providerName: String? = nil,
        restrictToWorkspace: Bool = true, maxTokens: Int = 8192, temperature: Double? = 0.7,
        maxToolIterations: Int = 20, maxHistoryMessages: Int = 40, contextWindow: Int = 128_000,
        summarizeAt: Double = 0.75
    ) {
        self.contextWindow = max(1024, contextWindow)
        self.summarizeAt = min(0.95, max(0.2, summarizeAt))
        self.id = id
        self.name = name ?? id
        self.workspace = workspace
        self.model = model
        self.providerName = providerName
        self.restrictToWorkspace = restrictToWorkspace
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.maxToolIterations = max(1, maxToolIterations)
        self.maxHistoryMessages = max(1, maxHistoryMessages)
    }
}
