import PicoPolicy

/// The production ``CommandRunner``: PicoPolicy's ``SandboxedExecutor`` (own process group, timeout that kills
/// the group, output cap, scrubbed environment; Landlock confinement to the workspace when the agent is restricted).
public struct SandboxedCommandRunner: CommandRunner {
    let executor: SandboxedExecutor

    /// Wraps an executor.
    public init(executor: SandboxedExecutor) { self.executor = executor }

    /// An executor for `workspace`: Landlock `.preferred` when `restrictToWorkspace`, `.off` otherwise.
    public init(workspace: Workspace, restrictToWorkspace: Bool, timeoutSeconds: Int, maxOutputBytes: Int) throws {
        executor = try SandboxedExecutor(workspace: workspace, timeout: .seconds(max(1, timeoutSeconds)),
                                         maxOutputBytes: maxOutputBytes,
                                         landlock: restrictToWorkspace ? .preferred : .off)
    }

    /// Warnings of the executor (e.g. Landlock unavailable).
    public var warnings: [String] { executor.warnings }

    public func run(command: String, workingDirectory: String) async throws -> CommandOutcome {
        let r = try await executor.run(command: command, workingDirectory: workingDirectory)
        if r.cancelled { throw CancellationError() }
        return CommandOutcome(stdout: r.output, exitStatus: r.exitStatus, signal: r.signal, timedOut: r.timedOut)
    }
}
