import PicoConfig

/// A model backend: one request/response exchange (the tool loop lives in ``AgentRuntime``).
public protocol LLMProvider: Sendable {
    /// Short provider name for logs and messages (`openrouter`, `anthropic`, ...).
    var name: String { get }
    /// Sends one completion request. Throws ``ProviderError`` (already retried where that makes sense).
    func complete(_ request: LLMRequest) async throws -> LLMResponse
}

/// A tool as offered to the model: name, description and a JSON-schema `parameters` object.
public struct ToolDefinition: Sendable, Equatable {
    /// Tool name (`read_file`, ...).
    public var name: String
    /// What the tool does, for the model.
    public var description: String
    /// JSON schema of the arguments object (`{"type":"object","properties":{…},"required":[…]}`).
    public var parameters: JSONValue

    /// Creates a definition.
    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

extension LLMProvider {
    /// Default name for providers that do not set one.
    public var name: String { "custom" }
}

/// One completion request.
public struct LLMRequest: Sendable {
    /// Model id as the provider expects it (provider prefix already stripped).
    public var model: String
    /// The conversation, system prompt first.
    public var messages: [ChatMessage]
    /// Tools offered to the model (empty: none).
    public var tools: [ToolDefinition] {
        get { toolSet?.definitions ?? storedTools }
        set {
            storedTools = newValue
            toolSet = nil
        }
    }
    private var storedTools: [ToolDefinition]
    /// Pre-encoded tools shared by every request of an agent (`nil`: encode ``tools`` per request).
    private var toolSet: EncodedToolDefinitions?
    /// Upper bound for the answer length in tokens.
    public var maxTokens: Int
    /// `nil` leaves the provider default.
    public var temperature: Double?

    /// Creates a request.
    public init(
        model: String, messages: [ChatMessage], tools: [ToolDefinition] = [], maxTokens: Int = 8192,
        temperature: Double? = nil
    ) {
        self.model = model
        self.messages = messages
        self.storedTools = tools
        self.toolSet = nil
        self.maxTokens = maxTokens
        self.temperature = temperature
    }

    /// A request offering pre-encoded tools (``AgentRuntime`` passes its agent's ``ToolRegistry`` set).
    init(
        model: String, messages: [ChatMessage], toolSet: EncodedToolDefinitions, maxTokens: Int,
        temperature: Double?
    ) {
        self.model = model
        self.messages = messages
        self.storedTools = []
        self.toolSet = toolSet
        self.maxTokens = maxTokens
        self.temperature = temperature
    }

    /// The tools with their wire encodings: the attached set, or a fresh one for ``tools``.
    var encodedTools: EncodedToolDefinitions { toolSet ?? EncodedToolDefinitions(storedTools) }
}

/// Token counts reported by the provider.
public struct LLMUsage: Sendable, Equatable {
    /// Input tokens.
    public var promptTokens: Int
    /// Output tokens.
    public var completionTokens: Int
    /// The cost in US dollars, when the provider reports it (OpenRouter's `usage.cost`).
    public var costUSD: Double?
    /// Creates a usage record.
    public init(promptTokens: Int, completionTokens: Int, costUSD: Double? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costUSD = costUSD
    }
}

/// One completion: text and/or tool calls.
public struct LLMResponse: Sendable, Equatable {
    /// Assistant text ("" when the answer only carries tool calls).
    public var content: String
    /// Tools the model wants run (empty: this is the final answer).
    public var toolCalls: [ToolCall]
    /// Provider's stop reason (`stop`, `tool_calls`, `end_turn`, `tool_use`, `length`, ...).
    public var finishReason: String?
    /// Token counts, when reported.
    public var usage: LLMUsage?

    /// Creates a response.
    public init(content: String, toolCalls: [ToolCall] = [], finishReason: String? = nil, usage: LLMUsage? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
    }
}
