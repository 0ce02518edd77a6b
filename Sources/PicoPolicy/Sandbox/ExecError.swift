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
    /// The configured sandbox cannot be set up on this machine; nothing was run.
    case sandboxUnavailable(String)

    public var description: String {
        switch self {
        case .denied(let v): return "Command blocked by policy (\(v.rule)): \(v.reason)"
        case .invalidWorkingDirectory(let d): return "working directory \(d) is missing or outside the workspace"
        case .landlockUnavailable(let why): return "Landlock is required but unavailable: \(why)"
        case .spawnFailed(let stage, let code):
            return "failed to start the command (\(stage)): \(errnoDescription(code))"
        case .invalidWorkspace(let w): return "workspace \(w) does not exist or is not a directory"
        case .sandboxUnavailable(let why): return "the exec sandbox is unavailable: \(why)"
        }
    }
}
