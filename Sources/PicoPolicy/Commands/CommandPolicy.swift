import Glibc

/// Decides whether the exec tool may run a command string.
///
/// Three layers, first denial wins:
/// 1. **Deny patterns** (when `enableDenyPatterns`, the default): PicoClaw v0.2.0's 42 defaults plus any custom
///    patterns, matched case-insensitively against the whole command, every segment as written and every
///    normalised segment (quotes removed, arguments joined with single spaces), including wrapper payloads.
///    Structural "dangerous" rules extend them: recursive `rm` in any spelling, `find -delete`, privilege
///    escalation, `kill`, disk tools, writes to raw devices, piping into a shell or interpreter.
/// 2. **Structure** (when `restrictToWorkspace`): the command is tokenised with shell quoting rules, split into
///    segments, and wrappers (`env`, `time`, `nice`, `nohup`, `timeout`, `xargs`, `stdbuf`, `busybox`,
///    `sh -c`, `find -exec`, …) are looked through. What cannot be analysed is refused: `$()`, backticks,
///    `${…}`, here-documents and here-strings, `eval`, inline interpreter code (`python3 -c`, `perl -e`),
///    login shells, commands named by an expansion.
/// 3. **Paths** (when `restrictToWorkspace`): every path operand — absolute, `~`, `..`, option-attached,
///    `file://`, redirection targets, symlinks in the working directory — is resolved with symlinks against
///    the working directory and must stay inside the workspace. `/dev/null`, `/dev/zero`, `/dev/random`,
///    `/dev/urandom` and `/dev/std{in,out,err}` are allowed; network URLs are not paths.
///
/// `printenv`, `env` without a command and `jq env` are allowed: the sandboxed executor scrubs the environment,
/// so they reveal nothing secret.
///
/// Build one per agent and reuse it; evaluation is synchronous, allocation-light and thread-safe.
public struct CommandPolicy: Sendable {
    /// PicoClaw v0.2.0's 42 default deny patterns, verbatim (RE2 syntax; every one compiles as a Swift Regex).
    public static let defaultDenyPatterns: [String] = picoclawDefaultDenyPatterns

    /// Device files any command may name.
    public static let safeDevicePaths: Set<String> = [
        "/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/stdin", "/dev/stdout", "/dev/stderr",
    ]

    /// Canonical workspace root.
    public let workspaceRoot: String
    /// Whether structure and path checks apply.
    public let restrictToWorkspace: Bool
    /// Whether deny patterns and dangerous-command rules apply.
    public let enableDenyPatterns: Bool
    /// The deny patterns in effect (defaults first, then custom ones); empty when disabled.
    public let denyPatterns: [String]
    /// Configuration warnings to log loudly at start-up.
    public let warnings: [String]

    let compiledPatterns: [DenyPattern]

    private static let compiledDefaults: [DenyPattern] = picoclawDefaultDenyPatterns.compactMap { try? DenyPattern($0) }

    /// Builds a policy for the workspace at `workspace` (an existing directory).
    /// - Parameters:
    ///   - restrictToWorkspace: apply structure and path checks (default true).
    ///   - enableDenyPatterns: apply the deny patterns and dangerous-command rules (default true).
    ///   - customDenyPatterns: extra patterns (RE2-style syntax as accepted by Swift Regex); they extend the
    ///     defaults and never replace them.
    /// - Throws: `CommandPolicyError.invalidDenyPattern` for a pattern that does not compile,
    ///   `.invalidWorkspace` when the root cannot be resolved.
    public init(
        workspace: String, restrictToWorkspace: Bool = true, enableDenyPatterns: Bool = true,
        customDenyPatterns: [String] = []
    ) throws {
        guard !workspace.isEmpty, let real = realpath(workspace, nil) else {
            throw CommandPolicyError.invalidWorkspace(workspace)
        }
        workspaceRoot = String(cString: real)
        free(real)
        self.restrictToWorkspace = restrictToWorkspace
        self.enableDenyPatterns = enableDenyPatterns
        var warnings: [String] = []
        var custom: [DenyPattern] = []
        for pattern in customDenyPatterns {
            do {
                custom.append(try DenyPattern(pattern))
            } catch {
                throw CommandPolicyError.invalidDenyPattern(pattern, reason: "\(error)")
            }
            if pattern.contains(where: { $0.isUppercase }) && !pattern.hasPrefix("(?i)") {
                warnings.append(
                    "custom deny pattern \"\(pattern)\" contains upper-case letters; "
                        + "it is matched case-insensitively")
            }
        }
        if enableDenyPatterns {
            compiledPatterns = CommandPolicy.compiledDefaults + custom
            denyPatterns = compiledPatterns.map(\.source)
        } else {
            compiledPatterns = []
            denyPatterns = []
            warnings.append(
                "WARNING: exec deny patterns are DISABLED: dangerous commands (rm -rf, sudo, "
                    + "curl | sh, …) are no longer blocked")
            if !customDenyPatterns.isEmpty {
                warnings.append(
                    "WARNING: \(customDenyPatterns.count) custom deny pattern(s) ignored because "
                        + "deny patterns are disabled")
            }
        }
        if !restrictToWorkspace {
            warnings.append(
                "WARNING: restrict_to_workspace is off: commands may read and write outside "
                    + "the workspace \(workspaceRoot)")
        }
        self.warnings = warnings
    }

    /// Builds a policy for `workspace`'s root.
    public init(
        workspace: Workspace, restrictToWorkspace: Bool = true, enableDenyPatterns: Bool = true,
        customDenyPatterns: [String] = []
    ) throws {
        try self.init(
            workspace: workspace.root, restrictToWorkspace: restrictToWorkspace,
            enableDenyPatterns: enableDenyPatterns, customDenyPatterns: customDenyPatterns)
    }

    /// Evaluates `command` as it would run in `workingDirectory` (default: the workspace root; relative
    /// directories are taken relative to the workspace root, never the process working directory).
    public func evaluate(command: String, workingDirectory: String? = nil) -> CommandVerdict {
        var analyzer = CommandAnalyzer(policy: self)
        return analyzer.run(command: command, workingDirectory: workingDirectory)
    }

    /// The canonical absolute working directory `workingDirectory` denotes, or nil when (restricted) it
    /// resolves outside the workspace.
    public func resolveWorkingDirectory(_ workingDirectory: String?) -> String? {
        let wd = workingDirectory ?? ""
        let path = physicalPath(wd.isEmpty ? workspaceRoot : (wd.hasPrefix("/") ? wd : workspaceRoot + "/" + wd))
        if restrictToWorkspace && !isInsideWorkspace(path) { return nil }
        return path
    }

    /// Whether the canonical absolute `path` is the workspace root or beneath it.
    func isInsideWorkspace(_ path: String) -> Bool {
        path == workspaceRoot || path.hasPrefix(workspaceRoot == "/" ? "/" : workspaceRoot + "/")
    }
}
