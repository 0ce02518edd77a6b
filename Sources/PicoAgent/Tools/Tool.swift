/// A tool the model can call.
public protocol Tool: Sendable {
    /// Name, description and JSON-schema parameters, as offered to the model.
    var definition: ToolDefinition { get }
    /// Runs the tool. Throw ``ToolArgumentError`` for missing/ill-typed arguments; any thrown error becomes an
    /// error result for the model (never a crash).
    func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput
}

/// What the model gets back from a tool.
public struct ToolResult: Sendable, Equatable {
    public var content: String
    public var isError: Bool

    public init(content: String, isError: Bool = false) {
        self.content = content
        self.isError = isError
    }
}

/// The policy decision behind a tool call (file jail or command policy).
public struct ToolVerdict: Sendable, Equatable, CustomStringConvertible {
    public var allowed: Bool
    /// The rule that decided (e.g. a deny pattern, `workspace`), if any.
    public var rule: String?

    public init(allowed: Bool, rule: String? = nil) {
        self.allowed = allowed
        self.rule = rule
    }

    /// Allowed, no specific rule.
    public static let allowed = ToolVerdict(allowed: true)

    /// Denied by `rule`.
    public static func denied(rule: String) -> ToolVerdict { ToolVerdict(allowed: false, rule: rule) }

    /// Human-readable text (safe to log).
    public var description: String {
        (allowed ? "allowed" : "denied") + (rule.map { " (rule: \($0))" } ?? "")
    }
}

/// A tool's result plus what the audit trail needs.
public struct ToolOutput: Sendable, Equatable {
    public var result: ToolResult
    public var verdict: ToolVerdict
    /// Exit status of a command (`exec` only).
    public var exitStatus: Int32?
    /// Output bytes a command printed past the output cap and that were dropped (`exec` only).
    public var truncatedBytes: Int

    public init(result: ToolResult, verdict: ToolVerdict = .allowed, exitStatus: Int32? = nil, truncatedBytes: Int = 0)
    {
        self.result = result
        self.verdict = verdict
        self.exitStatus = exitStatus
        self.truncatedBytes = truncatedBytes
    }

    /// A successful text result.
    public static func success(_ text: String) -> ToolOutput { ToolOutput(result: ToolResult(content: text)) }

    /// An error result (`Error: …`).
    public static func failure(_ text: String, verdict: ToolVerdict = .allowed, exitStatus: Int32? = nil) -> ToolOutput
    {
        ToolOutput(
            result: ToolResult(content: "Error: \(text)", isError: true), verdict: verdict, exitStatus: exitStatus)
    }
}

/// Who is calling a tool.
public struct ToolContext: Sendable {
    /// The chosen agent.
    public var agentID: String
    /// The session the turn belongs to.
    public var sessionKey: SessionKey
    public var channel: String
    public var chatID: String
    /// The sender's id on the channel, when known (per-sender memory).
    public var senderID: String?
    /// The channel message of the turn as JSON (gateway turns only), see ``InboundText/origin``.
    public var origin: String?

    public init(
        agentID: String, sessionKey: SessionKey, channel: String, chatID: String, senderID: String? = nil,
        origin: String? = nil
    ) {
        self.origin = origin
        self.agentID = agentID
        self.sessionKey = sessionKey
        self.channel = channel
        self.chatID = chatID
        self.senderID = senderID
    }
}
