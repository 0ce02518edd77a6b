/// One simple command the policy looked at: a top-level segment, or the payload of a wrapper
/// (`env …`, `sh -c '…'`, `find -exec …`, `$(…)`).
public struct CommandSegment: Sendable, Equatable, CustomStringConvertible {
    /// Source text (for payloads: the payload as the wrapper passes it on).
    public let text: String
    /// The arguments after quote removal (redirections excluded).
    public let argv: [String]
    /// `argv` joined with single spaces, followed by the redirections; deny patterns see this too.
    public let normalized: String
    /// 0 for top-level segments, +1 per wrapper level.
    public let depth: Int
    /// Where it came from: "command", or e.g. "sh -c payload", "env payload", "$(…)".
    public let origin: String

    public var description: String {
        String(repeating: "  ", count: depth) + "[\(origin)] " + normalized
    }
}

/// The policy's decision on one command.
public struct CommandVerdict: Sendable, Equatable, CustomStringConvertible {
    /// True when the command may run.
    public let isAllowed: Bool
    /// The rule that decided, e.g. `deny-pattern:\brm\s+-[rf]{1,2}\b`, `structure:command-substitution`,
    /// `path:outside-workspace`; `allow` when nothing objected.
    public let rule: String
    /// A human sentence explaining the decision.
    public let reason: String
    /// Every segment the policy analysed, in order.
    public let segments: [CommandSegment]

    public var description: String {
        (isAllowed ? "allowed" : "denied") + " (\(rule)): \(reason)"
    }

    static func allow(_ segments: [CommandSegment]) -> CommandVerdict {
        CommandVerdict(isAllowed: true, rule: "allow", reason: "no rule objected", segments: segments)
    }
}

/// An invalid policy configuration.
public enum CommandPolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A custom deny pattern that does not compile.
    case invalidDenyPattern(String, reason: String)
    /// The workspace root is empty or cannot be resolved.
    case invalidWorkspace(String)

    public var description: String {
        switch self {
        case .invalidDenyPattern(let p, let reason): return "invalid custom deny pattern \"\(p)\": \(reason)"
        case .invalidWorkspace(let w):
            return w.isEmpty ? "workspace is not defined" : "workspace \(w) cannot be resolved"
        }
    }
}
