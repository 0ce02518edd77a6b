/// Whether the executor confines the child with Landlock.
public enum LandlockMode: String, Sendable, Equatable {
    /// Refuse to run when Landlock cannot be applied.
    case required
    /// Apply Landlock where the kernel has it; otherwise run with the structural policy alone (with a warning).
    case preferred
    /// Never apply Landlock.
    case off
}

/// The protection layer a command actually ran under.
public enum SandboxLayer: Sendable, Equatable, CustomStringConvertible {
    /// Landlock enforced in the child with this ABI version.
    case landlock(abi: Int)
    /// No kernel layer: only the command policy stood in the way.
    case structuralOnly

    public var description: String {
        switch self {
        case .landlock(let abi): return "landlock(abi \(abi))"
        case .structuralOnly: return "structural-only"
        }
    }
}

/// What a sandboxed command did.
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

    /// Exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && !timedOut && !cancelled }
}

/// Why the executor did not run a command.
public enum ExecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The command policy denied the command.
    case denied(CommandVerdict)
    /// The working directory is missing or resolves outside the workspace.
    case invalidWorkingDirectory(String)
    /// Landlock was required but is unavailable or could not be applied; nothing was run.
    case landlockUnavailable(String)
    /// fork/exec failed.
    case spawnFailed(stage: String, errno: Int32)
    /// The workspace root is missing.
    case invalidWorkspace(String)

    public var description: String {
        switch self {
        case .denied(let v): return "Command blocked by policy (\(v.rule)): \(v.reason)"
        case .invalidWorkingDirectory(let d): return "working directory \(d) is missing or outside the workspace"
        case .landlockUnavailable(let why): return "Landlock is required but unavailable: \(why)"
        case .spawnFailed(let stage, let code): return "failed to start the command (\(stage)): \(errnoDescription(code))"
        case .invalidWorkspace(let w): return "workspace \(w) does not exist or is not a directory"
        }
    }
}

/// The outcome of `SandboxedExecutor.selfTest()`.
public struct SandboxSelfTest: Sendable, Equatable {
    /// The layer in effect on this machine.
    public let layer: SandboxLayer
    /// True when a child was proven unable to read or write outside its workspace and able to write inside.
    public let enforced: Bool
    /// One line per check.
    public let details: [String]
}
