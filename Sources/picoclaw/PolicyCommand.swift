import ArgumentParser
import PicoAgent
import PicoConfig
import PicoPolicy

/// `picoclaw policy`: operator view of the workspace jail, the command policy and the sandbox.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Inspect the workspace jail, the exec command policy and the sandbox.",
        subcommands: [
            PolicyResolveCommand.self, PolicyExplainCommand.self, PolicyRunCommand.self,
            PolicySelfTestCommand.self,
        ])
}

/// Exit status for a refused path or denied command.
let policyRefusedExitCode = ExitCode(3)

/// Writes one line to standard error.
func printError(_ message: String) {
    var stderr = StandardErrorStream()
    print(message, to: &stderr)
}

/// `print(…, to:)` target for standard error.
struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        FileDescriptorOutput.write(string, fd: 2)
    }
}

/// `picoclaw policy resolve`.
struct PolicyResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Print the absolute path a file tool would open, or why it is refused (exit 3).")

    @Option(help: "The agent workspace directory.") var workspace: String
    @Flag(help: "Resolve for writing (missing parents allowed, hard links refused).") var write = false
    @Flag(help: "Resolve as an unrestricted agent would.") var unrestricted = false
    @Argument(help: "The path as the model would give it.") var path: String

    func run() throws {
        let jail: Workspace
        do {
            jail = try Workspace(root: workspace, restrictToWorkspace: !unrestricted)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        do {
            print(try jail.resolve(path, forWriting: write))
        } catch {
            print("refused: \(error)")
            throw policyRefusedExitCode
        }
    }
}

/// `picoclaw policy explain`.
struct PolicyExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the verdict on a command, the segments analysed and the deciding rule (exit 3 when denied).")

    @Option(help: "The agent workspace directory.") var workspace: String
    @Option(help: "Working directory (relative to the workspace, or absolute).") var cwd: String?
    @Option(name: .customLong("deny-pattern"), help: "An extra deny pattern (repeatable).") var denyPatterns: [String] =
        []
    @Flag(help: "Evaluate as an unrestricted agent (deny patterns only).") var unrestricted = false
    @Flag(name: .customLong("no-deny-patterns"), help: "Disable the deny patterns.") var noDenyPatterns = false
    @Argument(parsing: .postTerminator, help: "The command (after --).") var command: [String] = []

    func run() throws {
        let policy: CommandPolicy
        do {
            policy = try CommandPolicy(
                workspace: workspace, restrictToWorkspace: !unrestricted,
                enableDenyPatterns: !noDenyPatterns, customDenyPatterns: denyPatterns)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        for warning in policy.warnings { printError(warning) }
        let verdict = policy.evaluate(command: command.joined(separator: " "), workingDirectory: cwd)
        print("verdict: \(verdict.isAllowed ? "allow" : "deny")")
        print("rule:    \(verdict.rule)")
        print("reason:  \(verdict.reason)")
        print("segments:")
        for segment in verdict.segments { print("  \(segment)") }
        if !verdict.isAllowed { throw policyRefusedExitCode }
    }
}

/// `picoclaw policy run`.
struct PolicyRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command exactly as the exec tool would: policy, scrubbed environment, Landlock, limits.")

    @Option(help: "The agent workspace directory.") var workspace: String
    @Option(help: "Working directory (relative to the workspace, or absolute).") var cwd: String?
    @Option(help: "Timeout in seconds.") var timeout: Double = 60
    @Option(name: .customLong("max-output"), help: "Output cap in bytes.") var maxOutput: Int = 10_000
    @Option(help: "Kernel sandbox: auto, namespaces or landlock (tools.exec.sandbox).") var sandbox: String = "auto"
    @Flag(help: "Allow outbound network (tools.exec.network).") var network = false
    @Argument(parsing: .postTerminator, help: "The command (after --).") var command: [String] = []

    func run() async throws {
        let policy: CommandPolicy
        let executor: SandboxedExecutor
        do {
            policy = try CommandPolicy(workspace: workspace)
            guard let mode = SandboxMode(rawValue: sandbox) else {
                throw ValidationError("--sandbox must be auto, namespaces or landlock, got '\(sandbox)'")
            }
            executor = try SandboxedExecutor(
                workspace: workspace, timeout: .milliseconds(Int(timeout * 1000)),
                maxOutputBytes: maxOutput, landlock: .preferred, sandbox: mode,
                network: network)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        for warning in executor.warnings { printError(warning) }
        do {
            let result = try await executor.run(
                command: command.joined(separator: " "), workingDirectory: cwd,
                policy: policy)
            FileDescriptorOutput.write(result.output, fd: 1)
            for note in result.limitNotes { FileDescriptorOutput.write("\n" + note, fd: 1) }
            var status = "[sandbox \(result.sandboxLayer)] "
            if result.timedOut {
                status += "timed out after \(timeout) s"
            } else if let code = result.exitStatus {
                status += "exit status \(code)"
            } else if let signal = result.signal {
                status += "killed by signal \(signal)"
            }
            printError(status)
            if let code = result.exitStatus, code != 0 { throw ExitCode(code) }
            if result.exitStatus == nil { throw ExitCode.failure }
        } catch let error as ExecError {
            if case .denied = error {
                printError("\(error)")
                throw policyRefusedExitCode
            }
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// `picoclaw policy self-test`.
struct PolicySelfTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "self-test",
        abstract:
            "Prove the kernel sandbox works on this machine, as tools.exec configures it, and print the active layers.")
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        // The sandbox as the gateway would set it up (tools.exec.sandbox, network, limits); a configuration that
        // does not load is named, and the defaults are tested instead.
        var exec = ExecToolConfig()
        do {
            exec = try ConfigLoader.load(explicitPath: options.config, environment: ProcessEnvironment.current()).config
                .tools.exec
        } catch {
            StandardError.print(
                "note: the configuration did not load (\(error.message.split(separator: "\n").first ?? "")); testing the default sandbox settings"
            )
        }
        print("configured: tools.exec.sandbox \(exec.sandbox), network \(exec.network ? "on" : "off")")
        let result = await SandboxedExecutor.selfTest(config: exec)
        print("sandbox: command-policy, \(result.layer)")
        print("layers:")
        for line in result.layers { print("  \(line)") }
        print("checks:")
        for line in result.details { print("  \(line)") }
        print(result.enforced ? "kernel sandbox: enforced" : "kernel sandbox: NOT enforced (structural policy only)")
        if !result.enforced { throw ExitCode.failure }
    }
}
