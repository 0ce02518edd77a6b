/// A text message for an agent, from a channel or the CLI.
public struct InboundText: Sendable, Equatable {
    /// The message text.
    public var text: String
    /// Channel name (`telegram`, `discord`, `cli`).
    public var channel: String
    /// Chat/conversation id on that channel.
    public var chatID: String
    /// Sender id, if known.
    public var senderID: String?
    /// Sender display name, if known.
    public var senderName: String?
    /// The channel's own message as JSON (set by the gateway): the template a `schedule` fires with later.
    public var origin: String?
    /// Pictures sent with the message (given to the model as image parts, never stored in the history).
    public var images: [ImageInput] = []

    /// Creates a message.
    public init(
        text: String, channel: String, chatID: String, senderID: String? = nil, senderName: String? = nil,
        origin: String? = nil
    ) {
        self.origin = origin
        self.text = text
        self.channel = channel
        self.chatID = chatID
        self.senderID = senderID
        self.senderName = senderName
    }
}

/// The outcome of one agent turn. ``text`` is always something to show the user.
public struct AgentReply: Sendable, Equatable {
    /// The answer, or a friendly failure message.
    public var text: String
    /// The agent that answered.
    public var agentID: String
    /// The session the turn belongs to.
    public var sessionKey: SessionKey
    /// Model calls made.
    public var iterations: Int
    /// Tool calls run.
    public var toolCalls: Int
    /// Set when the provider failed (``text`` is then its ``ProviderError/userMessage``).
    public var failure: ProviderError?
    /// `true` when the loop stopped at `max_tool_iterations`.
    public var hitIterationLimit: Bool
    /// Token usage summed over the turn, when the provider reported it.
    public var usage: LLMUsage?
    /// The messages this turn adds to the session (user message, tool calls and results, answer).
    public var transcript: [ChatMessage]

    /// Creates a reply.
    public init(
        text: String, agentID: String, sessionKey: SessionKey, iterations: Int = 0, toolCalls: Int = 0,
        failure: ProviderError? = nil, hitIterationLimit: Bool = false, usage: LLMUsage? = nil,
        transcript: [ChatMessage] = []
    ) {
        self.text = text
        self.agentID = agentID
        self.sessionKey = sessionKey
        self.iterations = iterations
        self.toolCalls = toolCalls
        self.failure = failure
        self.hitIterationLimit = hitIterationLimit
        self.usage = usage
        self.transcript = transcript
    }

    /// `true` when the turn failed (provider error).
    public var isFailure: Bool { failure != nil }
}
