/// `tools`.
public struct ToolsConfig: Sendable, Equatable {
    /// `tools.exec`.
    public let exec: ExecToolConfig
    /// `tools.web`.
    public let web: WebToolsConfig
    /// `tools.schedule`.
    public let schedule: ScheduleToolConfig
    /// `tools.transcription`.
    public let transcription: TranscriptionConfig

    /// Creates the section.
    public init(
        exec: ExecToolConfig = ExecToolConfig(), web: WebToolsConfig = WebToolsConfig(),
        schedule: ScheduleToolConfig = ScheduleToolConfig(),
        transcription: TranscriptionConfig = TranscriptionConfig()
    ) {
        self.exec = exec
        self.web = web
        self.schedule = schedule
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
    /// `sandbox`: `auto` (default), `namespaces` or `landlock`.
    public let sandbox: String
    /// `network` (default false): outbound network for commands.
    public let network: Bool
    /// `limits.*`.
    public let limits: ExecLimitsConfig

    /// Accepted values of `sandbox`.
    public static let sandboxModes = ["auto", "namespaces", "landlock"]
    /// `approval` (default `risky`): `off`, `risky` or `always` — which commands wait for an owner's decision.
    public var approval: String = "risky"
    /// `approval_patterns`: extra regexes; a matching command waits for approval (each compiled at load time).
    public var approvalPatterns: [String] = []
    /// `approval_timeout_seconds` (default 300): an unanswered approval is denied after this long.
    public var approvalTimeoutSeconds: Int = 300

    /// Creates the section.
    public init(
        enabled: Bool = true, enableDenyPatterns: Bool = true, customDenyPatterns: [String] = [],
        timeoutSeconds: Int = 60, maxOutputBytes: Int = 10000, sandbox: String = "auto", network: Bool = false,
        limits: ExecLimitsConfig = ExecLimitsConfig()
    ) {
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
    public init(
        processes: Int = 128, memoryMB: Int = 1024, fileSizeMB: Int = 256, openFiles: Int = 1024,
        cpuSeconds: Int = 60, tmpSizeMB: Int = 64
    ) {
        self.processes = processes
        self.memoryMB = memoryMB
        self.fileSizeMB = fileSizeMB
        self.openFiles = openFiles
        self.cpuSeconds = cpuSeconds
        self.tmpSizeMB = tmpSizeMB
    }
}

/// `tools.web`: the web tools (`web_fetch`, `web_search`).
public struct WebToolsConfig: Sendable, Equatable {
    /// `fetch.enabled` (default true): offer `web_fetch`.
    public let fetchEnabled: Bool
    /// `fetch.timeout_seconds` (default 30, > 0): time for a whole fetch, redirects included.
    public let fetchTimeoutSeconds: Int
    /// `fetch.max_bytes` (default 2097152, 1 KiB – 2 MiB): largest document read.
    public let fetchMaxBytes: Int
    /// `allow_hosts`: when non-empty, the only hosts (and subdomains) the web tools may fetch.
    public let allowHosts: [String]
    /// `deny_hosts`: hosts (and subdomains) never fetched.
    public let denyHosts: [String]
    /// `search.provider`: `""` (off), `brave`, `tavily` or `searxng`.
    public let searchProvider: String
    /// `search.api_key` (Brave and Tavily).
    public let searchAPIKey: Secret
    /// `search.base_url`: the SearXNG instance, or another endpoint for Brave/Tavily (`nil`: the provider's own).
    public let searchBaseURL: String?
    /// `search.max_results` (default 5, 1–20).
    public let searchMaxResults: Int

    /// The providers `search.provider` accepts.
    public static let searchProviders = ["brave", "tavily", "searxng"]

    /// Creates the section.
    public init(
        fetchEnabled: Bool = true, fetchTimeoutSeconds: Int = 30, fetchMaxBytes: Int = 2 << 20,
        allowHosts: [String] = [], denyHosts: [String] = [], searchProvider: String = "",
        searchAPIKey: Secret = .empty, searchBaseURL: String? = nil, searchMaxResults: Int = 5
    ) {
        self.fetchEnabled = fetchEnabled
        self.fetchTimeoutSeconds = fetchTimeoutSeconds
        self.fetchMaxBytes = fetchMaxBytes
        self.allowHosts = allowHosts
        self.denyHosts = denyHosts
        self.searchProvider = searchProvider
        self.searchAPIKey = searchAPIKey
        self.searchBaseURL = searchBaseURL
        self.searchMaxResults = searchMaxResults
    }

    /// `true` when a search provider is configured.
    public var searchEnabled: Bool { !searchProvider.isEmpty }
}

/// `tools.schedule`: reminders and recurring tasks (gateway only; they live in the state store).
public struct ScheduleToolConfig: Sendable, Equatable {
    /// `enabled` (default true).
    public let enabled: Bool
    /// `max_per_sender` (default 20, > 0): schedules one sender may have at once.
    public let maxPerSender: Int

    public init(enabled: Bool = true, maxPerSender: Int = 20) {
        self.enabled = enabled
        self.maxPerSender = maxPerSender
    }
}
