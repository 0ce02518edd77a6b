/// What a command did: the one result of a command run, from the sandboxed executor to PicoAgent's exec tool.
public struct ExecResult: Sendable, Equatable {
    /// Combined stdout and stderr, cut on a UTF-8 boundary at the cap, followed by a truncation marker when
    /// bytes were dropped.
    public let output: String
    /// Exit status when the shell exited normally.
    public let exitStatus: Int32?
    /// Terminating signal when it was killed.
    public let signal: Int32?
    /// Killed because the timeout elapsed.
    public let timedOut: Bool
    /// Killed because the calling task was cancelled.
    public let cancelled: Bool
    /// Output bytes read but not kept (the command is never blocked by the cap: output past it is discarded).
    public let truncatedBytes: Int
    /// Wall time from fork to exit.
    public let duration: Duration
    /// The layer the command ran under.
    public let sandboxLayer: SandboxLayer
    /// Limits the command probably ran into (e.g. "the process limit (tools.exec.limits.processes = 128) was
    /// reached"), for the tool result.
    public var limitNotes: [String] = []

    /// Creates a result (the executor's; runners other than the sandbox, e.g. test doubles, describe theirs).
    public init(
        output: String, exitStatus: Int32?, signal: Int32? = nil, timedOut: Bool = false,
        cancelled: Bool = false, truncatedBytes: Int = 0, duration: Duration = .zero,
        sandboxLayer: SandboxLayer = .structuralOnly, limitNotes: [String] = []
    ) {
        self.output = output
        self.exitStatus = exitStatus
        self.signal = signal
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.truncatedBytes = truncatedBytes
        self.duration = duration
        self.sandboxLayer = sandboxLayer
        self.limitNotes = limitNotes
    }

    /// Exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && !timedOut && !cancelled }
}
