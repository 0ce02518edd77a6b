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
        do {
            executor = try SandboxedExecutor(
                workspace: workspace, timeout: .seconds(max(1, exec.timeoutSeconds)),
                maxOutputBytes: exec.maxOutputBytes, landlock: restrictToWorkspace ? .preferred : .off,
                sandbox: SandboxMode(config: exec), network: exec.network, limits: ExecLimits(exec.limits))
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

    public func run(command: String, workingDirectory: String) async throws -> ExecResult {
        guard let executor else { throw ExecError.sandboxUnavailable(unavailableReason ?? "unknown") }
        let r = try await executor.run(command: command, workingDirectory: workingDirectory)
        if r.cancelled { throw CancellationError() }
        return r
    }
}

extension ExecLimits {
    /// `tools.exec.limits` as PicoPolicy limits.
    public init(_ c: ExecLimitsConfig) {
        self.init(
            processes: c.processes, memoryMB: c.memoryMB, fileSizeMB: c.fileSizeMB, openFiles: c.openFiles,
            cpuSeconds: c.cpuSeconds, tmpSizeMB: c.tmpSizeMB)
    }
}

extension SandboxMode {
    /// `tools.exec.sandbox` (validated when the configuration was loaded).
    public init(config: ExecToolConfig) { self = SandboxMode(rawValue: config.sandbox) ?? .auto }
}

extension SandboxedExecutor {
    /// The live self-test of the sandbox exactly as `tools.exec` configures it (mode, network, limits): what the
    /// gateway logs, `picoclaw status` and `policy self-test` print and `security audit` checks.
    public static func selfTest(config: ExecToolConfig) async -> SandboxSelfTest {
        await selfTest(sandbox: SandboxMode(config: config), network: config.network, limits: ExecLimits(config.limits))
    }
}
