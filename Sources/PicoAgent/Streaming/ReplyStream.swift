/// Live progress of a reply while the model writes it, for channels that show a preview (Telegram drafts,
/// an edited placeholder message).
public enum ReplyProgress: Sendable, Equatable {
    /// The answer text of the current model call so far (the whole text, not a delta).
    case text(String)
    /// The model asked for a tool; a short status line such as `running read_file…`.
    case tool(String)
}

/// The observer of the current turn's progress. When one is set (by the gateway, around
/// ``AgentRuntime/respond(to:session:persist:)``), the providers stream their answers and report them here;
/// without one they make plain requests. The final answer is still the turn's ``AgentReply``.
public enum ReplyStream {
    /// The current turn's observer (a class: task-local values of function type are avoided on purpose).
    @TaskLocal public static var observer: ReplyObserver?
}

/// Receives a turn's progress. Called on arbitrary threads, possibly often: keep it cheap (the gateway
/// coalesces and throttles).
public final class ReplyObserver: Sendable {
    /// The callback.
    public let report: @Sendable (ReplyProgress) -> Void

    /// Wraps `report`.
    public init(_ report: @escaping @Sendable (ReplyProgress) -> Void) { self.report = report }
}
