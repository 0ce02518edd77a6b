/// `tools`.
public struct ToolsConfig: Sendable, Equatable {
    /// `tools.exec`.
    public let exec: ExecToolConfig
    /// `tools.transcription`.
    public let transcription: TranscriptionConfig

    /// Creates the section.
    public init(exec: ExecToolConfig = ExecToolConfig(), transcription: TranscriptionConfig = TranscriptionConfig()) {
        self.exec = exec
        self.transcription = transcription
    }
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

    /// Creates the section.
    public init(enabled: Bool = true, enableDenyPatterns: Bool = true, customDenyPatterns: [String] = [],
                timeoutSeconds: Int = 60, maxOutputBytes: Int = 10000) {
        self.enabled = enabled
        self.enableDenyPatterns = enableDenyPatterns
        self.customDenyPatterns = customDenyPatterns
        self.timeoutSeconds = timeoutSeconds
        self.maxOutputBytes = maxOutputBytes
    }
}
