import PicoPolicy

/// `tools.exec.approval`: which commands wait for an owner's decision before they run.
public enum ExecApprovalMode: String, Sendable, CaseIterable {
    /// Never ask.
    case off
    /// Ask for risky commands (``ExecRisk``) and those matching `approval_patterns`. The default.
    case risky
    /// Ask for every command.
    case always
}

/// A command held for approval, bound to its canonical form: the argv of every segment PicoPolicy's analysis
/// found, the resolved working directory, and the SHA-256 of both.
public struct ExecApprovalRequest: Sendable, Equatable {
    /// The command as the model wrote it.
    public let command: String
    /// The analysed argv of each segment (quotes removed, wrappers unwrapped).
    public let argv: [[String]]
    /// The resolved (physical) working directory.
    public let workingDirectory: String
    /// Why it is held.
    public let reason: String
    /// SHA-256 of the canonical argv and working directory (what an approval is bound to).
    public let hash: String
    /// The agent, session, channel and chat of the turn.
    public let context: ToolContext

    /// Creates a request and its hash.
    public init(command: String, argv: [[String]], workingDirectory: String, reason: String, context: ToolContext) {
        self.command = command
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.reason = reason
        self.context = context
        var text = "cwd\u{0}" + workingDirectory
        for segment in argv { text += "\u{1}" + segment.joined(separator: "\u{0}") }
        hash = SHA256.hex(Array(text.utf8))
    }
}

extension ToolContext: Equatable {
    public static func == (a: ToolContext, b: ToolContext) -> Bool {
        a.agentID == b.agentID && a.sessionKey == b.sessionKey && a.channel == b.channel && a.chatID == b.chatID
    }
}

/// The decision on a held command.
public enum ExecApprovalDecision: Sendable, Equatable {
    /// Run it; `approver` names who decided (e.g. `telegram:4242`, `always-rule`).
    case approved(approver: String)
    /// Do not run it.
    case denied(reason: String)
}

/// Decides on held commands (the gateway asks the channel's owner). Must always return (time out → denied).
public protocol ExecApprover: Sendable {
    func decide(_ request: ExecApprovalRequest) async -> ExecApprovalDecision
}

/// Which commands are risky: network tools, package managers, `git push`, recursive or bulk deletes, writes to
/// dot-files, and anything PicoPolicy's structural analysis could not fully resolve (substitutions, variables,
/// `eval`, nested shells). Plus the owner's `approval_patterns`.
public struct ExecRisk: Sendable {
    let mode: ExecApprovalMode
    let patterns: [String]

    public init(mode: ExecApprovalMode, patterns: [String]) {
        self.mode = mode
        self.patterns = patterns
    }

    static let network: Set<String> = [
        "curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "sftp", "rsync",
        "ftp", "telnet", "nmap", "aria2c", "http", "https", "xh",
    ]
    static let packageManagers: Set<String> = [
        "apt", "apt-get", "aptitude", "dpkg", "pip", "pip3", "pipx", "npm", "npx",
        "yarn", "pnpm", "gem", "cargo", "go", "brew", "snap", "conda", "uv", "bun", "apk", "dnf", "yum",
    ]
    static let interpreters = ["python", "perl", "ruby", "node", "php", "lua", "osascript", "Rscript"]
    static let writers: Set<String> = ["cp", "mv", "tee", "touch", "install", "ln", "sed", "truncate", "dd", "chmod"]

    /// Why `command` must be approved, or `nil` when it may run without asking.
    public func reason(command: String, segments: [CommandSegment]) -> String? {
        switch mode {
        case .off: return nil
        case .always: return "tools.exec.approval is always"
        case .risky: break
        }
        for pattern in patterns {
            if let regex = try? Regex(pattern), command.contains(regex) { return "matches approval pattern \(pattern)" }
        }
        if command.contains("$") || command.contains("`") {
            return "uses substitutions or variables the analysis cannot resolve"
        }
        for s in segments {
            guard var first = s.argv.first else { continue }
            var argv = s.argv
            // Multi-call binaries run their first argument.
            if ["busybox", "toybox"].contains(first.split(separator: "/").last.map(String.init) ?? first),
                argv.count > 1
            {
                argv.removeFirst()
                first = argv[0]
            }
            let name = String(first.split(separator: "/").last ?? Substring(first))
            if Self.interpreters.contains(where: { name == $0 || name.hasPrefix($0 + ".") || name.hasPrefix($0 + "3") }
            ),
                argv.dropFirst().contains(where: { ["-c", "-e", "-E", "--eval", "-r"].contains($0) })
            {
                return "\(name) runs inline code the analysis cannot see"
            }
            if s.depth > 0 && (s.origin.contains("sh -c") || s.origin.contains("$(")) {
                return "runs a nested shell (\(s.origin))"
            }
            if ["eval", "source", ".", "exec"].contains(name) { return "\(name) runs code the analysis cannot see" }
            if Self.network.contains(name) { return "\(name) uses the network" }
            if Self.packageManagers.contains(name) { return "\(name) is a package manager" }
            if name == "git", argv.contains("push") { return "git push publishes" }
            if name == "rm",
                argv.dropFirst().contains(where: {
                    $0.hasPrefix("-") && ($0.contains("r") || $0.contains("R")) || $0 == "--recursive"
                })
            {
                return "recursive delete"
            }
            if name == "find", argv.contains("-delete") { return "find -delete removes files in bulk" }
            if name == "shred" || name == "wipe" { return "\(name) destroys files" }
            let targets = Self.writers.contains(name) ? Array(argv.dropFirst()) : []
            if let dot = (targets + Self.redirectTargets(s.normalized)).first(where: Self.isDotPath) {
                return "writes to the dot-file \(dot)"
            }
        }
        return nil
    }

    /// The targets of `>`/`>>` redirections in a normalized segment.
    static func redirectTargets(_ normalized: String) -> [String] {
        let words = normalized.split(separator: " ").map(String.init)
        var out: [String] = []
        for (i, w) in words.enumerated() {
            if w == ">" || w == ">>" || w.hasSuffix(">") {
                if i + 1 < words.count { out.append(words[i + 1]) }
            } else if let r = w.firstIndex(of: ">") {
                out.append(String(w[w.index(after: r)...]).trimmingPrefix(">").description)
            }
        }
        return out
    }

    static func isDotPath(_ path: String) -> Bool {
        path.split(separator: "/").contains { $0.hasPrefix(".") && $0 != "." && $0 != ".." }
    }
}

/// Used where nobody can be asked (the CLI): every held command is denied.
struct DenyingApprover: ExecApprover {
    func decide(_ request: ExecApprovalRequest) async -> ExecApprovalDecision {
        .denied(reason: "no owner can be asked here (tools.exec.approval holds this command)")
    }
}
