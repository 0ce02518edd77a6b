/// The type of a configuration value; drives decoding, env parsing and error messages.
public enum ConfigValueKind: String, Sendable, Equatable, CaseIterable {
    /// `true`/`false` (env: true/false/1/0/yes/no, case-insensitive).
    case bool
    /// An integer (env: strict decimal).
    case int
    /// A floating-point number.
    case double
    /// A string.
    case string
    /// A file-system path (leading `~` expanded; relative paths are resolved against `$PICOCLAW_HOME`).
    case path
    /// A secret string (never printed; see ``Secret``).
    case secret
    /// A list of strings (env: JSON array, or comma-separated text when the value does not start with `[`).
    case stringList
    /// A list of user ids: strings or JSON integers, stored as strings (env: as ``stringList``).
    case idList
    /// A JSON array of objects (`agents.list`, `bindings`; env: a JSON array).
    case objectList

    /// "a boolean", "an integer", ... for error messages.
    var expectation: String {
        switch self {
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string, .path, .secret: "a string"
        case .stringList: "an array of strings"
        case .idList: "an array of strings or integers"
        case .objectList: "an array of objects"
        }
    }
}

/// A schema default: none, a fixed value, or a path below `$PICOCLAW_HOME`.
public enum ConfigDefault: Sendable, Equatable {
    /// No default: the key is optional (`nil` in the typed model).
    case none
    /// A fixed value.
    case bool(Bool), int(Int), double(Double), string(String), emptyList
    /// `$PICOCLAW_HOME/<relative>`.
    case inPicoclawHome(String)

    /// Human-readable text for the documentation table.
    public var documentation: String {
        switch self {
        case .none: "(unset)"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): s.isEmpty ? "\"\"" : s
        case .emptyList: "[]"
        case .inPicoclawHome(let rel): "$PICOCLAW_HOME/\(rel)"
        }
    }

    func value(picoclawHome: String) -> JSONValue? {
        switch self {
        case .none: nil
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .emptyList: .array([])
        case .inPicoclawHome(let rel): .string(PathExpansion.join(picoclawHome, rel))
        }
    }
}

/// One configuration key: its dotted path (snake_case, as in the JSON file), type, default and env name.
public struct ConfigKey: Sendable, Equatable {
    /// Dotted key path, e.g. `gateway.port` or `providers.openrouter.api_key`.
    public let path: String
    /// Value type.
    public let kind: ConfigValueKind
    /// Default value.
    public let defaultValue: ConfigDefault
    /// One-line description for the documentation.
    public let summary: String

    /// Creates a key.
    public init(path: String, kind: ConfigValueKind, defaultValue: ConfigDefault, summary: String) {
        self.path = path
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// `PICOCLAW_` + the path upper-cased, with `.` and `-` replaced by `_`.
    public var envName: String { ConfigSchema.envName(for: path) }

    /// `true` for secret values (API keys, tokens).
    public var isSecret: Bool { kind == .secret }
}

/// The configuration schema: every key picoclaw reads, plus PicoClaw keys that are accepted but unused.
public enum ConfigSchema {
    /// Provider names that always have env names (`PICOCLAW_PROVIDERS_<NAME>_API_KEY`, ...).
    public static let knownProviders = [
        "anthropic", "openai", "openrouter", "groq", "zhipu", "vllm", "gemini", "nvidia", "ollama",
        "moonshot", "deepseek", "cerebras", "mistral", "qwen",
    ]

    /// Environment variables that steer loading itself rather than setting a key.
    public static let controlVariables = [
        "PICOCLAW_CONFIG", "PICOCLAW_HOME", "PICOCLAW_SECRETS_FILE", "PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS",
    ]

    /// Keys under `providers.<name>` (the `*` segment).
    public static let providerTemplate: [ConfigKey] = [
        ConfigKey(path: "providers.*.api_key", kind: .secret, defaultValue: .string(""), summary: "API key"),
        ConfigKey(
            path: "providers.*.api_base", kind: .string, defaultValue: .none,
            summary: "API base URL (provider default when unset)"),
        ConfigKey(path: "providers.*.proxy", kind: .string, defaultValue: .none, summary: "HTTP(S)/SOCKS proxy URL"),
        ConfigKey(
            path: "providers.*.request_timeout", kind: .int, defaultValue: .int(120),
            summary: "request timeout in seconds (> 0)"),
    ]

    /// Every fixed (non-provider) key.
    public static let fixedKeys: [ConfigKey] = [
        ConfigKey(
            path: "agents.defaults.workspace", kind: .path, defaultValue: .inPicoclawHome("workspace"),
            summary: "workspace of the default agent"),
        ConfigKey(
            path: "agents.defaults.restrict_to_workspace", kind: .bool, defaultValue: .bool(true),
            summary: "confine file and exec tools to the workspace"),
        ConfigKey(
            path: "agents.defaults.model", kind: .string, defaultValue: .string(""),
            summary: "model id, e.g. anthropic/claude-sonnet-4"),
        ConfigKey(
            path: "agents.defaults.model_name", kind: .string, defaultValue: .none,
            summary: "PicoClaw alias: used as model when model is empty"),
        ConfigKey(
            path: "agents.defaults.max_tokens", kind: .int, defaultValue: .int(8192),
            summary: "max tokens per model response (> 0)"),
        ConfigKey(
            path: "agents.defaults.temperature", kind: .double, defaultValue: .double(0.7),
            summary: "sampling temperature (0–2)"),
        ConfigKey(
            path: "agents.defaults.max_tool_iterations", kind: .int, defaultValue: .int(20),
            summary: "tool-call rounds per message (> 0)"),
        ConfigKey(
            path: "agents.defaults.max_history_messages", kind: .int, defaultValue: .int(40),
            summary: "session messages kept as context (> 0)"),
        ConfigKey(
            path: "agents.defaults.model_fallbacks", kind: .stringList, defaultValue: .emptyList,
            summary: "models tried in order when the model's provider is rate-limited, failing or unreachable"),
        ConfigKey(
            path: "agents.defaults.context_window", kind: .int, defaultValue: .int(128_000),
            summary: "model context window in tokens (the smallest, with fallbacks; >= 1024)"),
        ConfigKey(
            path: "agents.defaults.summarize_at", kind: .double, defaultValue: .double(0.75),
            summary: "share of context_window at which older turns are summarised (0.2–0.95)"),
        ConfigKey(
            path: "agents.defaults.memory_scope", kind: .string, defaultValue: .string(""),
            summary: "agent or sender (\"\": sender when more than one user is allowed)"),
        ConfigKey(
            path: "agents.defaults.timezone", kind: .string, defaultValue: .string(""),
            summary: "IANA time zone of schedules, e.g. Europe/Berlin (\"\": the system zone)"),
        ConfigKey(
            path: "agents.defaults.memory_max_bytes", kind: .int, defaultValue: .int(8192),
            summary: "largest MEMORY.md read into the prompt (> 0)"),
        ConfigKey(
            path: "agents.list", kind: .objectList, defaultValue: .emptyList,
            summary: "agents (id, default, name, workspace, model, restrict_to_workspace, memory_scope, context_window)"
        ),
        ConfigKey(
            path: "bindings", kind: .objectList, defaultValue: .emptyList,
            summary: "routing of channels/peers to agents"),
        ConfigKey(
            path: "channels.telegram.enabled", kind: .bool, defaultValue: .bool(false),
            summary: "run the Telegram channel"),
        ConfigKey(path: "channels.telegram.token", kind: .secret, defaultValue: .string(""), summary: "bot token"),
        ConfigKey(
            path: "channels.telegram.allow_from", kind: .idList, defaultValue: .emptyList,
            summary: "allowed user ids/usernames"),
        ConfigKey(path: "channels.telegram.proxy", kind: .string, defaultValue: .none, summary: "proxy URL"),
        ConfigKey(
            path: "channels.telegram.mention_only", kind: .bool, defaultValue: .bool(false),
            summary: "in groups, answer only when mentioned"),
        ConfigKey(
            path: "channels.telegram.base_url", kind: .string, defaultValue: .string("https://api.telegram.org"),
            summary: "Bot API base URL"),
        ConfigKey(
            path: "channels.telegram.dm_policy", kind: .string, defaultValue: .string("allowlist"),
            summary: "allowlist, or pairing: strangers' DMs get a one-time code an owner approves"),
        ConfigKey(
            path: "channels.telegram.owners", kind: .idList, defaultValue: .emptyList,
            summary: "owner user ids (default: the first numeric id of allow_from)"),
        ConfigKey(
            path: "channels.telegram.state_file", kind: .path, defaultValue: .inPicoclawHome("state/telegram-offset"),
            summary: "update offset file of earlier versions, read once when upgrading (\"\" disables)"),
        ConfigKey(
            path: "channels.discord.enabled", kind: .bool, defaultValue: .bool(false),
            summary: "run the Discord channel"),
        ConfigKey(path: "channels.discord.token", kind: .secret, defaultValue: .string(""), summary: "bot token"),
        ConfigKey(
            path: "channels.discord.allow_from", kind: .idList, defaultValue: .emptyList, summary: "allowed user ids"),
        ConfigKey(path: "channels.discord.proxy", kind: .string, defaultValue: .none, summary: "proxy URL"),
        ConfigKey(
            path: "channels.discord.mention_only", kind: .bool, defaultValue: .bool(false),
            summary: "in guilds, answer only when mentioned"),
        ConfigKey(
            path: "channels.discord.dm_policy", kind: .string, defaultValue: .string("allowlist"),
            summary: "allowlist, or pairing: strangers' DMs get a one-time code an owner approves"),
        ConfigKey(
            path: "channels.discord.owners", kind: .idList, defaultValue: .emptyList,
            summary: "owner user ids (default: the first numeric id of allow_from)"),
        ConfigKey(
            path: "channels.discord.api_base", kind: .string, defaultValue: .string("https://discord.com/api/v10"),
            summary: "REST API base URL"),
        ConfigKey(
            path: "gateway.host", kind: .string, defaultValue: .string("127.0.0.1"),
            summary: "bind address of the health endpoint"),
        ConfigKey(path: "gateway.port", kind: .int, defaultValue: .int(18790), summary: "port (1–65535)"),
        ConfigKey(
            path: "gateway.pid_file", kind: .path, defaultValue: .inPicoclawHome("picoclaw.pid"),
            summary: "PID file (\"\" disables)"),
        ConfigKey(
            path: "gateway.allow_public_bind", kind: .bool, defaultValue: .bool(false),
            summary: "required to bind a non-loopback host"),
        ConfigKey(path: "gateway.log_file", kind: .path, defaultValue: .none, summary: "log file (unset: stderr)"),
        ConfigKey(
            path: "gateway.log_level", kind: .string, defaultValue: .string("info"),
            summary: "trace, debug, info, notice, warning, error or critical"),
        ConfigKey(
            path: "gateway.state_dir", kind: .path, defaultValue: .inPicoclawHome("state"),
            summary: "state directory (inbox, outbox, sessions; 0700, outside every workspace)"),
        ConfigKey(
            path: "gateway.shutdown_grace_seconds", kind: .int, defaultValue: .int(20),
            summary: "seconds running turns get to finish on SIGTERM (> 0)"),
        ConfigKey(
            path: "limits.messages_per_minute", kind: .int, defaultValue: .int(0),
            summary: "messages per sender per minute (0: unlimited)"),
        ConfigKey(
            path: "limits.tokens_per_day", kind: .int, defaultValue: .int(0),
            summary: "model tokens per sender per UTC day (0: unlimited)"),
        ConfigKey(
            path: "limits.cost_per_day_usd", kind: .double, defaultValue: .double(0),
            summary: "model spend per sender per UTC day in USD (0: unlimited)"),
        ConfigKey(
            path: "limits.prices", kind: .stringList, defaultValue: .emptyList,
            summary: "\"<model>=<input>/<output>\" USD per million tokens, when the provider reports no cost"),
        ConfigKey(path: "tools.exec.enabled", kind: .bool, defaultValue: .bool(true), summary: "offer the exec tool"),
        ConfigKey(
            path: "tools.exec.enable_deny_patterns", kind: .bool, defaultValue: .bool(true),
            summary: "apply the built-in deny patterns"),
        ConfigKey(
            path: "tools.exec.custom_deny_patterns", kind: .stringList, defaultValue: .emptyList,
            summary: "extra deny regexes (each must compile)"),
        ConfigKey(
            path: "tools.exec.timeout_seconds", kind: .int, defaultValue: .int(60), summary: "command timeout (> 0)"),
        ConfigKey(
            path: "tools.exec.max_output_bytes", kind: .int, defaultValue: .int(10000),
            summary: "output kept per command (> 0)"),
        ConfigKey(
            path: "tools.exec.sandbox", kind: .string, defaultValue: .string("auto"),
            summary: "auto, namespaces or landlock (Docs/policy.md)"),
        ConfigKey(
            path: "tools.exec.network", kind: .bool, defaultValue: .bool(false),
            summary: "let commands open outbound network connections"),
        ConfigKey(
            path: "tools.exec.limits.processes", kind: .int, defaultValue: .int(128),
            summary: "RLIMIT_NPROC per command (> 0)"),
        ConfigKey(
            path: "tools.exec.limits.memory_mb", kind: .int, defaultValue: .int(1024),
            summary: "address space per process in MiB (> 0)"),
        ConfigKey(
            path: "tools.exec.limits.file_size_mb", kind: .int, defaultValue: .int(256),
            summary: "largest file a command may write, MiB (> 0)"),
        ConfigKey(
            path: "tools.exec.limits.open_files", kind: .int, defaultValue: .int(1024),
            summary: "open files per process (> 0)"),
        ConfigKey(
            path: "tools.exec.limits.cpu_seconds", kind: .int, defaultValue: .int(60),
            summary: "CPU seconds per process (> 0)"),
        ConfigKey(
            path: "tools.exec.limits.tmp_size_mb", kind: .int, defaultValue: .int(64),
            summary: "size of the private /tmp in MiB (> 0)"),
        ConfigKey(
            path: "tools.schedule.enabled", kind: .bool, defaultValue: .bool(true),
            summary: "offer the schedule tool (gateway)"),
        ConfigKey(
            path: "tools.schedule.max_per_sender", kind: .int, defaultValue: .int(20),
            summary: "schedules one sender may have at once (> 0)"),
        ConfigKey(
            path: "tools.web.fetch.enabled", kind: .bool, defaultValue: .bool(true), summary: "offer the web_fetch tool"
        ),
        ConfigKey(
            path: "tools.web.fetch.timeout_seconds", kind: .int, defaultValue: .int(30),
            summary: "time per fetch, redirects included (> 0)"),
        ConfigKey(
            path: "tools.web.fetch.max_bytes", kind: .int, defaultValue: .int(2 << 20),
            summary: "largest document read (1024–2097152)"),
        ConfigKey(
            path: "tools.web.allow_hosts", kind: .stringList, defaultValue: .emptyList,
            summary: "when set, the only hosts (and subdomains) web tools may fetch"),
        ConfigKey(
            path: "tools.web.deny_hosts", kind: .stringList, defaultValue: .emptyList,
            summary: "hosts (and subdomains) web tools never fetch"),
        ConfigKey(
            path: "tools.web.search.provider", kind: .string, defaultValue: .string(""),
            summary: "brave, tavily or searxng (\"\": web_search off)"),
        ConfigKey(
            path: "tools.web.search.api_key", kind: .secret, defaultValue: .string(""),
            summary: "Brave or Tavily API key"),
        ConfigKey(
            path: "tools.web.search.base_url", kind: .string, defaultValue: .none,
            summary: "SearXNG URL (required for searxng), or another Brave/Tavily endpoint"),
        ConfigKey(
            path: "tools.web.search.max_results", kind: .int, defaultValue: .int(5),
            summary: "results per search (1–20)"),
        ConfigKey(
            path: "tools.exec.approval", kind: .string, defaultValue: .string("risky"),
            summary: "off, risky or always: which commands wait for an owner's approval"),
        ConfigKey(
            path: "tools.exec.approval_patterns", kind: .stringList, defaultValue: .emptyList,
            summary: "extra regexes: matching commands wait for approval"),
        ConfigKey(
            path: "tools.exec.approval_timeout_seconds", kind: .int, defaultValue: .int(300),
            summary: "seconds an approval waits before it is denied (> 0)"),
        ConfigKey(
            path: "tools.transcription.provider", kind: .string, defaultValue: .none,
            summary: "provider for voice-note transcription (its key and base URL; off when unset)"),
        ConfigKey(
            path: "tools.transcription.model", kind: .string, defaultValue: .string("whisper-1"),
            summary: "transcription model, e.g. whisper-1 or whisper-large-v3"),
        ConfigKey(
            path: "tools.transcription.api_key", kind: .secret, defaultValue: .string(""),
            summary: "key for the transcription endpoint (default: the provider's)"),
        ConfigKey(
            path: "tools.transcription.api_base", kind: .string, defaultValue: .none,
            summary: "base URL of an OpenAI-compatible /audio/transcriptions endpoint"),
        ConfigKey(
            path: "media.max_age_days", kind: .int, defaultValue: .int(7),
            summary: "days pictures are kept under each workspace's media/ (> 0)"),
        ConfigKey(
            path: "media.max_file_mb", kind: .int, defaultValue: .int(10),
            summary: "largest picture or voice note accepted, in MB (> 0)"),
        ConfigKey(
            path: "media.vision_models", kind: .stringList, defaultValue: .emptyList,
            summary: "models that see pictures, besides the well-known ones"),
        ConfigKey(
            path: "media.text_only_models", kind: .stringList, defaultValue: .emptyList,
            summary: "models that do not see pictures"),
    ]

    /// Keys PicoClaw files may contain that picoclaw accepts but does not use (whole subtrees; `*` = any provider).
    public static let unusedKeys: Set<String> = [
        "version", "session", "model_list", "heartbeat", "devices", "channel_list",
        "agents.defaults.provider", "agents.defaults.image_model",
        "agents.defaults.image_model_fallbacks",
        "channels.whatsapp", "channels.feishu", "channels.maixcam", "channels.qq", "channels.dingtalk",
        "channels.slack", "channels.line", "channels.onebot", "channels.wecom", "channels.wecom_app", "channels.pico",
        "channels.telegram.group_trigger", "channels.telegram.typing", "channels.telegram.placeholder",
        "channels.telegram.reasoning_channel_id", "channels.telegram.use_markdown_v2",
        "channels.discord.group_trigger", "channels.discord.typing", "channels.discord.placeholder",
        "channels.discord.reasoning_channel_id",
        "providers.*.auth_method", "providers.*.connect_mode", "providers.*.web_search",
        "gateway.hot_reload",
        "tools.web.brave", "tools.web.duckduckgo", "tools.web.perplexity", "tools.web.tavily", "tools.web.searxng",
        "tools.web.proxy", "tools.cron", "tools.skills", "tools.media_cleanup",
        "tools.exec.allow_remote", "tools.exec.custom_allow_patterns",
    ]

    /// Known keys of an `agents.list[]` entry, and PicoClaw ones accepted but unused.
    static let agentEntryKeys: Set<String> = [
        "id", "default", "name", "workspace", "model", "restrict_to_workspace",
        "memory_scope", "context_window",
    ]
    static let agentEntryUnusedKeys: Set<String> = ["skills", "subagents"]

    /// Every key for the given providers (known providers are always included), sorted by path.
    public static func keys(providers: some Sequence<String> = []) -> [ConfigKey] {
        var names = Set(knownProviders)
        names.formUnion(providers)
        var all = fixedKeys
        for name in names.sorted() {
            for t in providerTemplate {
                all.append(
                    ConfigKey(
                        path: t.path.replacingFirstStar(with: name), kind: t.kind,
                        defaultValue: t.defaultValue, summary: t.summary))
            }
        }
        return all.sorted { $0.path < $1.path }
    }

    /// The env name of a key path: `PICOCLAW_` + upper-cased path with `.` and `-` as `_`.
    public static func envName(for path: String) -> String {
        var out = "PICOCLAW_"
        for scalar in path.uppercased().unicodeScalars {
            out.unicodeScalars.append(scalar == "." || scalar == "-" ? "_" : scalar)
        }
        return out
    }

    /// The template of a concrete path (`providers.openrouter.api_key` → `providers.*.api_key`).
    static func template(of path: String) -> String {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "providers" else { return path }
        return (["providers", "*"] + parts.dropFirst(2)).joined(separator: ".")
    }

    /// Template path → key, for fixed and provider keys.
    static let leafTemplates: [String: ConfigKey] = {
        var map: [String: ConfigKey] = [:]
        for k in fixedKeys + providerTemplate { map[k.path] = k }
        return map
    }()

    /// Template paths of objects that contain keys (`agents`, `agents.defaults`, `providers.*`, ...).
    static let objectTemplates: Set<String> = {
        var set: Set<String> = ["providers"]
        for path in leafTemplates.keys {
            var parts = path.split(separator: ".").map(String.init)
            parts.removeLast()
            while !parts.isEmpty {
                set.insert(parts.joined(separator: "."))
                parts.removeLast()
            }
        }
        return set
    }()

    /// Known child names (used and unused) of an object template, for "did you mean" suggestions.
    static func children(ofTemplate parent: String) -> Set<String> {
        var out = Set<String>()
        let prefix = parent.isEmpty ? "" : parent + "."
        for path in Array(leafTemplates.keys) + Array(objectTemplates) + Array(unusedKeys) where path.hasPrefix(prefix)
        {
            let rest = path.dropFirst(prefix.count)
            if let first = rest.split(separator: ".").first, first != "*" { out.insert(String(first)) }
        }
        return out
    }

    /// `true` when a provider name can be used in a key path and an env name.
    static func isValidProviderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                    || $0 == "-"
            }
    }
}

extension String {
    func replacingFirstStar(with name: String) -> String {
        guard let r = firstRange(of: "*") else { return self }
        var copy = self
        copy.replaceSubrange(r, with: name)
        return copy
    }
}
