import PicoSystem

/// One tool call, for the audit trail (the gateway logs these with `--debug`; the CLI prints them to stderr).
/// Every string field is redacted; ``argumentsPreview`` is also truncated to ≤ 200 characters.
public struct ToolAuditEvent: Sendable, Equatable, CustomStringConvertible {
    /// The agent that ran the tool.
    public var agentID: String
    public var sessionKey: String
    public var tool: String
    /// Redacted, single-line, ≤ 200 characters.
    public var argumentsPreview: String
    /// Allowed/denied and the deciding rule.
    public var verdict: ToolVerdict
    public var duration: Duration
    /// UTF-8 size of the result sent to the model.
    public var resultBytes: Int
    /// Exit status of a command (`exec` only).
    public var exitStatus: Int32?
    /// Output bytes a command printed past the output cap, dropped (`exec` only; 0 when nothing was cut).
    public var truncatedBytes: Int
    public var isError: Bool

    /// Longest ``argumentsPreview``.
    public static let maxPreviewLength = 200

    public init(
        agentID: String, sessionKey: String, tool: String, argumentsPreview: String, verdict: ToolVerdict,
        duration: Duration, resultBytes: Int, exitStatus: Int32? = nil, truncatedBytes: Int = 0, isError: Bool
    ) {
        self.agentID = agentID
        self.sessionKey = sessionKey
        self.tool = tool
        self.argumentsPreview = argumentsPreview
        self.verdict = verdict
        self.duration = duration
        self.resultBytes = resultBytes
        self.exitStatus = exitStatus
        self.truncatedBytes = truncatedBytes
        self.isError = isError
    }

    /// `tool=exec agent=main session=… verdict=denied rule=… duration_ms=3 result_bytes=120 exit=1 error=true args=…`
    /// (`truncated_bytes=N` after `exit` when a command's output was cut)
    public var description: String {
        var parts = [
            "tool=\(tool)", "agent=\(agentID)", "session=\(sessionKey)",
            "verdict=\(verdict.allowed ? "allowed" : "denied")",
        ]
        if let rule = verdict.rule { parts.append("rule=\(rule)") }
        parts.append("duration_ms=\(duration.milliseconds)")
        parts.append("result_bytes=\(resultBytes)")
        if let exitStatus { parts.append("exit=\(exitStatus)") }
        if truncatedBytes > 0 { parts.append("truncated_bytes=\(truncatedBytes)") }
        parts.append("error=\(isError)")
        parts.append("args=\(argumentsPreview)")
        return parts.joined(separator: " ")
    }
}

/// Receives every ``ToolAuditEvent``; must be cheap and non-blocking.
public typealias ToolAuditSink = @Sendable (ToolAuditEvent) -> Void
