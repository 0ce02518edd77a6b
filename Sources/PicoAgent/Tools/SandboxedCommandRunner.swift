import PicoConfig
import PicoPolicy

/// The production ``CommandRunner``: PicoPolicy's ``SandboxedExecutor`` (namespaces, Landlock, seccomp, limits;
/// timeout and cleanup of every process a command starts; output cap; scrubbed environment). When the configured
/// sandbox cannot be set up, every command is refused with the reason instead of running unconfined.
public struct SandboxedCommandRunner: CommandRunner {
    let executor: SandboxedExecutor?
    /// Why commands are refused (nil when the executor is ready).
    public let unavailableReason: String?

    /// Wraps an executor.
    public init(executor: SandboxedExecutor) {
        self.executor = executor
        unavailableReason = nil
    }

    /// An executor for `workspace` per `tools.exec`: the kernel sandbox when `restrictToWorkspace`, none otherwise.
    public init(workspace: Workspace, restrictToWorkspace: Bool, exec: ExecToolConfig) {
        let l = exec.limits
        do {
            executor = try SandboxedExecutor(
                workspace: workspace, timeout: .seconds(max(1, exec.timeoutSeconds)),
                maxOutputBytes: exec.maxOutputBytes, landlock: restrictToWorkspace ? .preferred : .off,
                sandbox: SandboxMode(rawValue: exec.sandbox) ?? .auto, network: exec.network,
                limits: ExecLimits(processes: l.processes, memoryMB: l.memoryMB, fileSizeMB: l.fileSizeMB,
                                   openFiles: l.openFiles, cpuSeconds: l.cpuSeconds, tmpSizeMB: l.tmpSizeMB))
            unavailableReason = nil
        } catch {
            executor = nil
            unavailableReason = "\(error)"
        }
    }

    /// Warnings of the executor (e.g. a sandbox layer unavailable), or the reason commands are refused.
    public var warnings: [String] {
        if let unavailableReason { return ["WARNING: the exec tool refuses every command: \(unavailableReason)"] }
        return executor?.warnings ?? []
    }

    /// One line per sandbox layer (empty when unavailable).
    public var layerReport: [String] { executor?.layerReport ?? [] }

    public func run(command: String, workingDirectory: String) async throws -> CommandOutcome {
        guard let executor else { throw ExecError.sandboxUnavailable(unavailableReason ?? "unknown") }
        let r = try await executor.run(command: command, workingDirectory: workingDirectory)
        if r.cancelled { throw CancellationError() }
        var text = r.output
        if !r.limitNotes.isEmpty {
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
            text += r.limitNotes.joined(separator: "\n")
        }
        return CommandOutcome(stdout: text, exitStatus: r.exitStatus, signal: r.signal, timedOut: r.timedOut)
    }
}
