import PicoPolicy

/// Runs an already-approved command (the production runner is PicoPolicy's sandboxed executor).
public protocol CommandRunner: Sendable {
    /// Runs `command` with `sh -c` in the absolute `workingDirectory`. The result's output carries its own
    /// truncation marker; a cancelled run throws `CancellationError`.
    func run(command: String, workingDirectory: String) async throws -> ExecResult
}

/// `exec{command, working_dir?}`: a shell command, checked by ``CommandPolicy`` and then run by a ``CommandRunner``.
/// A denial goes back to the model as `Command denied by policy (rule: …): reason`.
public struct ExecTool: Tool {
    let policy: CommandPolicy
    let runner: any CommandRunner
    let timeoutSeconds: Int
    /// Which commands wait for an owner (`tools.exec.approval`), and who decides.
    let approval: (risk: ExecRisk, approver: any ExecApprover)?

    public init(
        policy: CommandPolicy, runner: any CommandRunner, timeoutSeconds: Int = 60,
        approval: (risk: ExecRisk, approver: any ExecApprover)? = nil
    ) {
        self.policy = policy
        self.runner = runner
        self.timeoutSeconds = timeoutSeconds
        self.approval = approval
    }

    public var definition: ToolDefinition {
        ToolDefinition(
            name: "exec",
            description:
                "Run a shell command (sh -c) in the workspace and return its output. Commands time out after \(timeoutSeconds) s; dangerous commands are refused by policy.",
            parameters: ToolSchema.object(
                [
                    ("command", "string", "The shell command to run"),
                    (
                        "working_dir", "string",
                        "Working directory, relative to the workspace (default: the workspace root)"
                    ),
                ], required: ["command"]))
    }

    public func execute(_ arguments: ToolArguments, context: ToolContext) async throws -> ToolOutput {
        let command = try arguments.string("command")
        let workingDir = try arguments.optionalString("working_dir")
        guard !command.trimmedSpaces.isEmpty else { throw ToolArgumentError("argument 'command' must not be empty") }
        let verdict = policy.evaluate(command: command, workingDirectory: workingDir)
        guard verdict.isAllowed else {
            return .failure(
                "Command denied by policy (rule: \(verdict.rule)): \(verdict.reason)",
                verdict: .denied(rule: verdict.rule))
        }
        let allowed = ToolVerdict(allowed: true, rule: verdict.rule)
        guard let cwd = policy.resolveWorkingDirectory(workingDir) else {
            return .failure(
                "working directory \(workingDir ?? ".") is outside the workspace",
                verdict: .denied(rule: "path:outside-workspace"))
        }
        if let approval, let reason = approval.risk.reason(command: command, segments: verdict.segments) {
            let request = ExecApprovalRequest(
                command: command, argv: verdict.segments.map(\.argv), workingDirectory: cwd,
                reason: reason, context: context)
            guard case .approved = await approval.approver.decide(request) else {
                return .failure(
                    "Command not run: it needs the owner's approval (\(reason)) and was not approved.",
                    verdict: .denied(rule: "approval:denied"))
            }
        }
        let outcome: ExecResult
        do {
            outcome = try await runner.run(command: command, workingDirectory: cwd)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .failure("could not run the command: \(error)", verdict: allowed)
        }
        return ExecTool.render(outcome, timeoutSeconds: timeoutSeconds, verdict: allowed)
    }

    /// Formats a command outcome for the model; the dropped byte count goes to the audit event.
    static func render(_ o: ExecResult, timeoutSeconds: Int, verdict: ToolVerdict) -> ToolOutput {
        var output = describe(o, timeoutSeconds: timeoutSeconds, verdict: verdict)
        output.truncatedBytes = o.truncatedBytes
        return output
    }

    private static func describe(_ o: ExecResult, timeoutSeconds: Int, verdict: ToolVerdict) -> ToolOutput {
        var text = o.output
        if !o.limitNotes.isEmpty {
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
            text += o.limitNotes.joined(separator: "\n")
        }
        if text.isEmpty { text = "(no output)" }
        if o.timedOut {
            return .failure(
                "command timed out after \(timeoutSeconds) s and was killed\n\(text)", verdict: verdict,
                exitStatus: o.exitStatus)
        }
        if let status = o.exitStatus, status != 0 {
            return ToolOutput(
                result: ToolResult(content: text + "\nExit code: \(status)", isError: true),
                verdict: verdict, exitStatus: status)
        }
        if o.exitStatus == nil {
            let sig = o.signal.map { " by signal \($0)" } ?? ""
            return ToolOutput(result: ToolResult(content: text + "\nKilled\(sig)", isError: true), verdict: verdict)
        }
        return ToolOutput(result: ToolResult(content: text), verdict: verdict, exitStatus: o.exitStatus)
    }
}
