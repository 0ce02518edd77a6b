/// `tools`.
public struct ToolsConfig: Sendable, Equatable {
    /// `tools.exec`.
    public let exec: ExecToolConfig

    /// Creates the section.
    public init(exec: ExecToolConfig = ExecToolConfig()) { self.exec = exec }
}

/// `tools.exec`: the shell tool.
public struct ExecToolConfig: Sendable, Equatable {
    /// `enabled` (default true).
    public let enabled: Bool
    /// `enable_deny_patterns` (default true): apply the built-in deny list.
    public let enableDenyPatterns: Bool
    /// `custom_deny_patterns`: extra regexes; each compiled successfully with Swift `Regex` at load time.
    public let customDenyPatterns: [String]
    /// `timeout_seconds` (default 60, > 0).
    public let timeoutSeconds: Int
    /// `max_output_bytes` (default 10000, > 0).
    public let maxOutputBytes: Int
    /// `sandbox`: `auto` (default), `namespaces` or `landlock`.
    public let sandbox: String
    /// `network` (default false): outbound network for commands.
    public let network: Bool
    /// `limits.*`.
    public let limits: ExecLimitsConfig

    /// Accepted values of `sandbox`.
    public static let sandboxModes = ["auto", "namespaces", "landlock"]

    /// Creates the section.
    public init(enabled: Bool = true, enableDenyPatterns: Bool = true, customDenyPatterns: [String] = [],
                timeoutSeconds: Int = 60, maxOutputBytes: Int = 10000, sandbox: String = "auto", network: Bool = false,
                limits: ExecLimitsConfig = ExecLimitsConfig()) {
        self.sandbox = sandbox
        self.network = network
        self.limits = limits
        self.enabled = enabled
        self.enableDenyPatterns = enableDenyPatterns
        self.customDenyPatterns = customDenyPatterns
        self.timeoutSeconds = timeoutSeconds
        self.maxOutputBytes = maxOutputBytes
    }
}

/// `tools.exec.limits`: resource limits of each command (all > 0).
public struct ExecLimitsConfig: Sendable, Equatable {
    public let processes: Int
    public let memoryMB: Int
    public let fileSizeMB: Int
    public let openFiles: Int
    public let cpuSeconds: Int
    public let tmpSizeMB: Int

    /// Creates the section (defaults as in the schema).
    public init(processes: Int = 128, memoryMB: Int = 1024, fileSizeMB: Int = 256, openFiles: Int = 1024,
                cpuSeconds: Int = 60, tmpSizeMB: Int = 64) {
        self.processes = processes
        self.memoryMB = memoryMB
        self.fileSizeMB = fileSizeMB
        self.openFiles = openFiles
        self.cpuSeconds = cpuSeconds
        self.tmpSizeMB = tmpSizeMB
    }
}
