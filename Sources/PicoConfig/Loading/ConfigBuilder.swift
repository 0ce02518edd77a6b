import Glibc
import PicoSystem
/// Builds the typed ``PicoConfiguration`` from merged values (defaults, file, environment), checking types
/// and validating values. Collects every problem instead of stopping at the first.
struct ConfigBuilder {
    /// A value and where it came from.
    struct Entry {
        var value: JSONValue
        var origin: ValueOrigin
    }

    let values: [String: Entry]
    let providerNames: [String]
    let picoclawHome: String
    let homeDirectory: String?
    private(set) var errors: [ConfigError] = []
    private(set) var warnings: [String] = []

    init(values: [String: Entry], providerNames: [String], picoclawHome: String, homeDirectory: String?) {
        self.values = values
        self.providerNames = providerNames
        self.picoclawHome = picoclawHome
        self.homeDirectory = homeDirectory
    }

    // MARK: - Building

    mutating func build() -> PicoConfiguration {
        let defaults = buildDefaults()
        let list = buildAgentList()
        let agentIDs = Set(list.map(\.id))
        let bindings = buildBindings(knownAgents: list.isEmpty ? [AgentID.main] : agentIDs)
        var providers: [String: ProviderConfig] = [:]
        for name in providerNames { providers[name] = buildProvider(name) }
        let channels = ChannelsConfig(telegram: buildTelegram(), discord: buildDiscord())
        let gateway = buildGateway()
        let tools = ToolsConfig(
            exec: buildExec(), web: buildWeb(),
            schedule: ScheduleToolConfig(
                enabled: bool("tools.schedule.enabled"),
                maxPerSender: positiveInt("tools.schedule.max_per_sender")),
            transcription: buildTranscription())
        return PicoConfiguration(
            agents: AgentsConfig(defaults: defaults, list: list), bindings: bindings,
            providers: providers, channels: channels, gateway: gateway, tools: tools,
            picoclawHome: picoclawHome, limits: buildLimits(), media: buildMedia())
    }

    private mutating func buildTranscription() -> TranscriptionConfig {
        let p = "tools.transcription."
        let apiBase = string(p + "api_base")
        if let apiBase { checkURL(p + "api_base", apiBase) }
        let provider = string(p + "provider")?.trimmedSpaces.lowercased()
        return TranscriptionConfig(
            provider: provider?.isEmpty == true ? nil : provider,
            model: string(p + "model") ?? "whisper-1", apiKey: secret(p + "api_key"), apiBase: apiBase)
    }

    private mutating func buildMedia() -> MediaConfig {
        let p = "media."
        return MediaConfig(
            maxAgeDays: positiveInt(p + "max_age_days"), maxFileMB: positiveInt(p + "max_file_mb"),
            visionModels: stringList(p + "vision_models", allowIntegers: false),
            textOnlyModels: stringList(p + "text_only_models", allowIntegers: false))
    }

    private mutating func buildDefaults() -> AgentDefaults {
        let p = "agents.defaults."
        var model = string(p + "model") ?? ""
        if model.isEmpty, let alias = string(p + "model_name") { model = alias }
        let maxTokens = positiveInt(p + "max_tokens")
        let temperature = double(p + "temperature")
        if !(0...2).contains(temperature) {
            invalid(p + "temperature", "must be between 0 and 2\(shownValue(p + "temperature", "\(temperature)"))")
        }
        let contextWindow = int(p + "context_window")
        if contextWindow < 1024 {
            invalid(
                p + "context_window",
                "must be at least 1024 tokens\(shownValue(p + "context_window", "\(contextWindow)"))")
        }
        let summarizeAt = double(p + "summarize_at")
        if !(0.2...0.95).contains(summarizeAt) {
            invalid(
                p + "summarize_at", "must be between 0.2 and 0.95\(shownValue(p + "summarize_at", "\(summarizeAt)"))")
        }
        return AgentDefaults(
            workspace: path(p + "workspace") ?? PathExpansion.join(picoclawHome, "workspace"),
            restrictToWorkspace: bool(p + "restrict_to_workspace"), model: model,
            maxTokens: maxTokens, temperature: temperature,
            maxToolIterations: positiveInt(p + "max_tool_iterations"),
            maxHistoryMessages: positiveInt(p + "max_history_messages"),
            modelFallbacks: stringList(p + "model_fallbacks", allowIntegers: false)
                .filter { !$0.trimmedSpaces.isEmpty },
            contextWindow: contextWindow, summarizeAt: summarizeAt,
            memoryScope: memoryScope(string(p + "memory_scope"), key: p + "memory_scope"),
            memoryMaxBytes: positiveInt(p + "memory_max_bytes"), timezone: timezone(p + "timezone"))
    }

    private mutating func buildProvider(_ name: String) -> ProviderConfig {
        let p = "providers.\(name)."
        let apiBase = string(p + "api_base")
        if let apiBase { checkURL(p + "api_base", apiBase) }
        let proxy = string(p + "proxy")
        if let proxy { checkURL(p + "proxy", proxy, proxy: true) }
        return ProviderConfig(
            apiKey: secret(p + "api_key"), apiBase: nonEmpty(apiBase), proxy: nonEmpty(proxy),
            requestTimeout: positiveInt(p + "request_timeout"))
    }

    private mutating func buildTelegram() -> TelegramConfig {
        let p = "channels.telegram."
        let proxy = string(p + "proxy")
        if let proxy { checkURL(p + "proxy", proxy, proxy: true) }
        let baseURL = string(p + "base_url") ?? "https://api.telegram.org"
        checkURL(p + "base_url", baseURL)
        return TelegramConfig(
            enabled: bool(p + "enabled"), token: secret(p + "token"),
            allowFrom: stringList(p + "allow_from", allowIntegers: true), proxy: nonEmpty(proxy),
            mentionOnly: bool(p + "mention_only"), baseURL: baseURL, stateFile: path(p + "state_file"),
            dmPolicy: dmPolicy(p + "dm_policy"), owners: stringList(p + "owners", allowIntegers: true))
    }

    private mutating func buildDiscord() -> DiscordConfig {
        let p = "channels.discord."
        let proxy = string(p + "proxy")
        if let proxy { checkURL(p + "proxy", proxy, proxy: true) }
        let apiBase = string(p + "api_base") ?? "https://discord.com/api/v10"
        checkURL(p + "api_base", apiBase)
        return DiscordConfig(
            enabled: bool(p + "enabled"), token: secret(p + "token"),
            allowFrom: stringList(p + "allow_from", allowIntegers: true), proxy: nonEmpty(proxy),
            mentionOnly: bool(p + "mention_only"), apiBase: apiBase,
            dmPolicy: dmPolicy(p + "dm_policy"), owners: stringList(p + "owners", allowIntegers: true))
    }

    private mutating func dmPolicy(_ key: String) -> DMPolicy {
        let text = (string(key) ?? "allowlist").trimmedSpaces.lowercased()
        guard let policy = DMPolicy(rawValue: text) else {
            invalid(key, "must be one of \(DMPolicy.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            return .allowlist
        }
        return policy
    }

    private mutating func buildLimits() -> LimitsConfig {
        let p = "limits."
        let perMinute = int(p + "messages_per_minute")
        if perMinute < 0 { invalid(p + "messages_per_minute", "must be 0 (unlimited) or more, got \(perMinute)") }
        let tokens = int(p + "tokens_per_day")
        if tokens < 0 { invalid(p + "tokens_per_day", "must be 0 (unlimited) or more, got \(tokens)") }
        let cost = double(p + "cost_per_day_usd")
        if cost < 0 || !cost.isFinite { invalid(p + "cost_per_day_usd", "must be 0 (unlimited) or more, got \(cost)") }
        var prices: [ModelPrice] = []
        for (i, text) in stringList(p + "prices", allowIntegers: false).enumerated() {
            if let price = ModelPrice(parsing: text) {
                prices.append(price)
            } else {
                invalid(
                    p + "prices",
                    "[\(i)] '\(text)' is not \"<model>=<input>/<output>\" (USD per million tokens, e.g. \"openai/gpt-4o=2.5/10\")"
                )
            }
        }
        return LimitsConfig(
            messagesPerMinute: max(0, perMinute), tokensPerDay: max(0, tokens),
            costPerDayUSD: cost.isFinite ? max(0, cost) : 0, prices: prices)
    }

    private mutating func buildGateway() -> GatewayConfig {
        let p = "gateway."
        let host = (string(p + "host") ?? "127.0.0.1").trimmedSpaces
        if host.isEmpty { invalid(p + "host", "must not be empty") }
        let port = int(p + "port")
        if !(1...65535).contains(port) {
            invalid(p + "port", "must be between 1 and 65535\(shownValue(p + "port", "\(port)"))")
        }
        let allowPublic = bool(p + "allow_public_bind")
        if !host.isEmpty, GatewayConfig.listenAddress(host) == nil {
            invalid(
                p + "host",
                "must be an IP address or localhost (127.0.0.1, ::1, [::1] or a local interface address)\(shownValue(p + "host", host))"
            )
        } else if !host.isEmpty, !GatewayConfig.isLoopback(host), !allowPublic {
            invalid(
                p + "host",
                "\(mayQuote(p + "host") ? "'\(host)'" : "the value") is not a loopback address, so the gateway would be reachable from other machines. Keep 127.0.0.1 behind a reverse proxy (Docs/deploy.md#reverse-proxy), or opt in with gateway.allow_public_bind: true (PICOCLAW_GATEWAY_ALLOW_PUBLIC_BIND=1, or picoclaw gateway --allow-public-bind)"
            )
        }
        let levelText = (string(p + "log_level") ?? "info").lowercased()
        let level = LogLevel(rawValue: levelText == "warn" ? "warning" : levelText)
        if level == nil {
            invalid(
                p + "log_level",
                "must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))\(shownValue(p + "log_level", "'\(levelText)'"))"
            )
        }
        return GatewayConfig(
            host: host, port: port, pidFile: path(p + "pid_file"), allowPublicBind: allowPublic,
            logFile: path(p + "log_file"), logLevel: level ?? .info,
            stateDir: path(p + "state_dir") ?? resolvePath("state"),
            shutdownGraceSeconds: positiveInt(p + "shutdown_grace_seconds"))
    }

    /// An IANA zone name with a zone file in /usr/share/zoneinfo (`""`: the system zone).
    private mutating func timezone(_ key: String) -> String {
        let name = (string(key) ?? "").trimmedSpaces
        guard !name.isEmpty, !["UTC", "Etc/UTC", "GMT"].contains(name) else { return name }
        let safe = !name.hasPrefix("/") && !name.split(separator: "/").contains { $0 == ".." || $0 == "." }
        if !safe || access("/usr/share/zoneinfo/" + name, R_OK) != 0 {
            invalid(
                key,
                "unknown time zone '\(name)': use an IANA name such as Europe/Berlin (see /usr/share/zoneinfo), or leave it empty for the system zone"
            )
        }
        return name
    }

    private mutating func memoryScope(_ text: String?, key: String) -> MemoryScope? {
        guard let text, !text.trimmedSpaces.isEmpty else { return nil }
        guard let scope = MemoryScope(rawValue: text.trimmedSpaces.lowercased()) else {
            invalid(key, "must be agent or sender (or empty for automatic), got '\(text)'")
            return nil
        }
        return scope
    }

    private mutating func buildWeb() -> WebToolsConfig {
        let p = "tools.web."
        let maxBytes = int(p + "fetch.max_bytes")
        if !(1024...(2 << 20)).contains(maxBytes) {
            invalid(
                p + "fetch.max_bytes",
                "must be between 1024 and 2097152\(shownValue(p + "fetch.max_bytes", "\(maxBytes)"))")
        }
        let provider = (string(p + "search.provider") ?? "").trimmedSpaces.lowercased()
        if !provider.isEmpty && !WebToolsConfig.searchProviders.contains(provider) {
            invalid(
                p + "search.provider",
                "must be one of \(WebToolsConfig.searchProviders.joined(separator: ", ")) (or empty to turn web_search off), got '\(provider)'"
            )
        }
        let key = secret(p + "search.api_key")
        let baseURL = nonEmpty(string(p + "search.base_url"))
        if let baseURL { checkURL(p + "search.base_url", baseURL) }
        if provider == "searxng" && baseURL == nil {
            invalid(p + "search.base_url", "is required for the searxng provider (the URL of your SearXNG instance)")
        }
        if (provider == "brave" || provider == "tavily") && key.isEmpty {
            invalid(
                p + "search.api_key",
                "is required for the \(provider) provider (or \(ConfigSchema.envName(for: p + "search.api_key"))_FILE)")
        }
        let maxResults = int(p + "search.max_results")
        if !(1...20).contains(maxResults) {
            invalid(
                p + "search.max_results",
                "must be between 1 and 20\(shownValue(p + "search.max_results", "\(maxResults)"))")
        }
        return WebToolsConfig(
            fetchEnabled: bool(p + "fetch.enabled"), fetchTimeoutSeconds: positiveInt(p + "fetch.timeout_seconds"),
            fetchMaxBytes: maxBytes, allowHosts: stringList(p + "allow_hosts", allowIntegers: false),
            denyHosts: stringList(p + "deny_hosts", allowIntegers: false), searchProvider: provider,
            searchAPIKey: key, searchBaseURL: baseURL, searchMaxResults: maxResults)
    }

    private mutating func buildExec() -> ExecToolConfig {
        let p = "tools.exec."
        let patterns = stringList(p + "custom_deny_patterns", allowIntegers: false)
        for (i, pattern) in patterns.enumerated() {
            do {
                _ = try Regex(pattern)
            } catch {
                invalid(
                    p + "custom_deny_patterns",
                    mayQuote(p + "custom_deny_patterns")
                        ? "[\(i)] '\(pattern)' is not a valid regular expression: \(error)"
                        : "[\(i)] is not a valid regular expression")
            }
        }
        let sandbox = (string(p + "sandbox") ?? "auto").lowercased()
        if !ExecToolConfig.sandboxModes.contains(sandbox) {
            invalid(
                p + "sandbox", "must be one of \(ExecToolConfig.sandboxModes.joined(separator: ", ")), got '\(sandbox)'"
            )
        }
        let l = p + "limits."
        let limits = ExecLimitsConfig(
            processes: positiveInt(l + "processes"), memoryMB: positiveInt(l + "memory_mb"),
            fileSizeMB: positiveInt(l + "file_size_mb"), openFiles: positiveInt(l + "open_files"),
            cpuSeconds: positiveInt(l + "cpu_seconds"), tmpSizeMB: positiveInt(l + "tmp_size_mb"))
        var exec = ExecToolConfig(
            enabled: bool(p + "enabled"), enableDenyPatterns: bool(p + "enable_deny_patterns"),
            customDenyPatterns: patterns, timeoutSeconds: positiveInt(p + "timeout_seconds"),
            maxOutputBytes: positiveInt(p + "max_output_bytes"), sandbox: sandbox,
            network: bool(p + "network"), limits: limits)
        let approval = (string(p + "approval") ?? "risky").trimmedSpaces.lowercased()
        if !["off", "risky", "always"].contains(approval) {
            invalid(p + "approval", "must be one of off, risky, always, got '\(approval)'")
        }
        exec.approval = ["off", "risky", "always"].contains(approval) ? approval : "risky"
        exec.approvalPatterns = stringList(p + "approval_patterns", allowIntegers: false)
        for (i, pattern) in exec.approvalPatterns.enumerated() where (try? Regex(pattern)) == nil {
            invalid(
                p + "approval_patterns",
                mayQuote(p + "approval_patterns")
                    ? "[\(i)] '\(pattern)' is not a valid regular expression"
                    : "[\(i)] is not a valid regular expression")
        }
        exec.approvalTimeoutSeconds = positiveInt(p + "approval_timeout_seconds")
        return exec
    }

    // MARK: - agents.list and bindings

    private mutating func buildAgentList() -> [AgentEntry] {
        let key = "agents.list"
        guard let entry = values[key], case .array(let items) = entry.value else {
            if let entry = values[key] { typeMismatch(key, .objectList, entry) }
            return []
        }
        var result: [AgentEntry] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let itemPath = "\(key)[\(i)]"
            guard case .object(let fields) = item else {
                fail(.typeMismatch, itemPath, entry.origin, "expected an object, got \(item.typeName)")
                continue
            }
            warnUnknown(
                fields.keys, known: ConfigSchema.agentEntryKeys, unused: ConfigSchema.agentEntryUnusedKeys,
                path: itemPath, origin: entry.origin)
            guard case .string(let rawID)? = fields["id"], !rawID.trimmedSpaces.isEmpty else {
                if let v = fields["id"], v != .null, !(v.isString) {
                    fail(.typeMismatch, itemPath + ".id", entry.origin, "expected a string, got \(v.typeName)")
                } else {
                    fail(.missingValue, itemPath + ".id", entry.origin, "required (a non-empty string)")
                }
                continue
            }
            let id = AgentID.normalize(rawID)
            if let previous = seen[id] {
                fail(
                    .invalidValue, itemPath + ".id", entry.origin,
                    "duplicate agent id '\(id)' (also \(key)[\(previous)])")
                continue
            }
            seen[id] = i
            let isDefault = itemBool(fields, "default", itemPath, entry.origin) ?? false
            let name = itemString(fields, "name", itemPath, entry.origin)
            let workspace = itemString(fields, "workspace", itemPath, entry.origin).flatMap(nonEmpty).map(resolvePath)
            let restrict = itemBool(fields, "restrict_to_workspace", itemPath, entry.origin)
            let model = agentModel(fields["model"], path: itemPath + ".model", origin: entry.origin)
            let scope = memoryScope(
                itemString(fields, "memory_scope", itemPath, entry.origin), key: itemPath + ".memory_scope")
            var window: Int?
            if let w = fields["context_window"], w != .null {
                if let n = w.intValue, n >= 1024 {
                    window = n
                } else {
                    fail(
                        .invalidValue, itemPath + ".context_window", entry.origin, "must be an integer of at least 1024"
                    )
                }
            }
            result.append(
                AgentEntry(
                    id: id, isDefault: isDefault, name: name, workspace: workspace, model: model,
                    restrictToWorkspace: restrict, memoryScope: scope, contextWindow: window))
        }
        return result
    }

    private mutating func agentModel(_ value: JSONValue?, path: String, origin: ValueOrigin) -> AgentModel? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : AgentModel(primary: s)
        case .object(let fields)?:
            warnUnknown(fields.keys, known: ["primary", "fallbacks"], unused: [], path: path, origin: origin)
            let primary = itemString(fields, "primary", path, origin) ?? ""
            var fallbacks: [String] = []
            if let f = fields["fallbacks"], f != .null {
                if case .array(let items) = f, let strings = items.allStrings {
                    fallbacks = strings
                } else {
                    fail(.typeMismatch, path + ".fallbacks", origin, "expected an array of strings, got \(f.typeName)")
                }
            }
            return AgentModel(primary: primary, fallbacks: fallbacks)
        case let other?:
            fail(
                .typeMismatch, path, origin,
                "expected a string or {\"primary\": ..., \"fallbacks\": [...]}, got \(other.typeName)")
            return nil
        }
    }

    private mutating func buildBindings(knownAgents: Set<String>) -> [BindingConfig] {
        let key = "bindings"
        guard let entry = values[key], case .array(let items) = entry.value else {
            if let entry = values[key] { typeMismatch(key, .objectList, entry) }
            return []
        }
        var result: [BindingConfig] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(key)[\(i)]"
            guard case .object(let fields) = item else {
                fail(.typeMismatch, itemPath, entry.origin, "expected an object, got \(item.typeName)")
                continue
            }
            warnUnknown(fields.keys, known: ["agent_id", "match"], unused: [], path: itemPath, origin: entry.origin)
            guard let agentID = itemString(fields, "agent_id", itemPath, entry.origin), !agentID.isEmpty else {
                if fields["agent_id"] == nil { fail(.missingValue, itemPath + ".agent_id", entry.origin, "required") }
                continue
            }
            guard case .object(let match)? = fields["match"] else {
                if let m = fields["match"] {
                    fail(.typeMismatch, itemPath + ".match", entry.origin, "expected an object, got \(m.typeName)")
                } else {
                    fail(.missingValue, itemPath + ".match", entry.origin, "required")
                }
                continue
            }
            let matchPath = itemPath + ".match"
            warnUnknown(
                match.keys, known: ["channel", "account_id", "peer", "guild_id", "team_id"], unused: [],
                path: matchPath, origin: entry.origin)
            guard let channel = itemString(match, "channel", matchPath, entry.origin), !channel.isEmpty else {
                if match["channel"] == nil { fail(.missingValue, matchPath + ".channel", entry.origin, "required") }
                continue
            }
            var peer: BindingPeer?
            if let p = match["peer"], p != .null {
                peer = buildPeer(p, path: matchPath + ".peer", origin: entry.origin)
            }
            let binding = BindingConfig(
                agentID: agentID,
                match: BindingMatch(
                    channel: channel, accountID: itemScalarString(match, "account_id", matchPath, entry.origin),
                    peer: peer, guildID: itemScalarString(match, "guild_id", matchPath, entry.origin),
                    teamID: itemScalarString(match, "team_id", matchPath, entry.origin)))
            if !knownAgents.contains(binding.agentID) {
                warnings.append(
                    "\(label(itemPath + ".agent_id", entry.origin)): no agent '\(binding.agentID)'; matching messages go to the default agent"
                )
            }
            result.append(binding)
        }
        return result
    }

    /// A binding's `match.peer`: `{"kind": "direct"|"group"|"channel", "id": ...}`; nil (after reporting why) when
    /// it is not valid.
    private mutating func buildPeer(_ p: JSONValue, path peerPath: String, origin: ValueOrigin) -> BindingPeer? {
        guard case .object(let pf) = p else {
            fail(.typeMismatch, peerPath, origin, "expected an object, got \(p.typeName)")
            return nil
        }
        warnUnknown(pf.keys, known: ["kind", "id"], unused: [], path: peerPath, origin: origin)
        let kindText = itemString(pf, "kind", peerPath, origin) ?? ""
        let peerID = itemScalarString(pf, "id", peerPath, origin) ?? ""
        guard let kind = BindingPeer.Kind(rawValue: kindText.lowercased()) else {
            fail(
                .invalidValue, peerPath + ".kind", origin,
                "must be direct, group or channel\(shownValue("bindings", "'\(kindText)'"))")
            return nil
        }
        if peerID.isEmpty {
            fail(.missingValue, peerPath + ".id", origin, "required")
            return nil
        }
        return BindingPeer(kind: kind, id: peerID)
    }

    // MARK: - Typed accessors

    private mutating func bool(_ key: String) -> Bool {
        guard let e = values[key] else { return defaultValue(key)?.boolValue ?? false }
        if case .bool(let b) = e.value { return b }
        typeMismatch(key, .bool, e)
        return defaultValue(key)?.boolValue ?? false
    }

    private mutating func int(_ key: String) -> Int {
        guard let e = values[key] else { return defaultValue(key)?.intValue ?? 0 }
        if case .number(let n) = e.value, let i = Int(n) { return i }
        typeMismatch(key, .int, e)
        return defaultValue(key)?.intValue ?? 0
    }

    private mutating func positiveInt(_ key: String) -> Int {
        let value = int(key)
        if value <= 0 { invalid(key, "must be greater than 0\(shownValue(key, "\(value)"))") }
        return value
    }

    private mutating func double(_ key: String) -> Double {
        guard let e = values[key] else { return defaultValue(key)?.doubleValue ?? 0 }
        if case .number(let n) = e.value, let d = Double(n) { return d }
        typeMismatch(key, .double, e)
        return defaultValue(key)?.doubleValue ?? 0
    }

    private mutating func string(_ key: String) -> String? {
        guard let e = values[key] else { return nil }
        if case .string(let s) = e.value { return s }
        typeMismatch(key, .string, e)
        return nil
    }

    private mutating func secret(_ key: String) -> Secret {
        Secret(string(key) ?? "")
    }

    /// A path: `""` → nil (disabled), else `~` expanded and made absolute against `$PICOCLAW_HOME`.
    private mutating func path(_ key: String) -> String? {
        guard let s = string(key) else { return nil }
        let trimmed = s.trimmedSpaces
        return trimmed.isEmpty ? nil : resolvePath(trimmed)
    }

    private mutating func stringList(_ key: String, allowIntegers: Bool) -> [String] {
        guard let e = values[key] else { return [] }
        let kind: ConfigValueKind = allowIntegers ? .idList : .stringList
        guard case .array(let items) = e.value else {
            typeMismatch(key, kind, e)
            return []
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            switch item {
            case .string(let s): out.append(s)
            case .number(let n) where allowIntegers && Int64(n) != nil || allowIntegers && UInt64(n) != nil:
                out.append(n)
            default:
                fail(
                    .typeMismatch, "\(key)[\(i)]", e.origin,
                    "expected \(allowIntegers ? "a string or an integer" : "a string"), got \(item.typeName)")
            }
        }
        return out
    }

    private func defaultValue(_ key: String) -> JSONValue? {
        ConfigSchema.leafTemplates[ConfigSchema.template(of: key)]?.defaultValue.value(picoclawHome: picoclawHome)
    }

    // MARK: - Item helpers (agents.list, bindings)

    private mutating func itemString(
        _ fields: [String: JSONValue], _ name: String, _ path: String, _ origin: ValueOrigin
    ) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let v?:
            fail(.typeMismatch, "\(path).\(name)", origin, "expected a string, got \(v.typeName)")
            return nil
        }
    }

    /// A string, or an integer stored as its text (ids written as JSON numbers).
    private mutating func itemScalarString(
        _ fields: [String: JSONValue], _ name: String, _ path: String, _ origin: ValueOrigin
    ) -> String? {
        if case .number(let n)? = fields[name], Int64(n) != nil { return n }
        return itemString(fields, name, path, origin)
    }

    private mutating func itemBool(
        _ fields: [String: JSONValue], _ name: String, _ path: String, _ origin: ValueOrigin
    ) -> Bool? {
        switch fields[name] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let v?:
            fail(.typeMismatch, "\(path).\(name)", origin, "expected a boolean, got \(v.typeName)")
            return nil
        }
    }

    private mutating func warnUnknown(
        _ keys: Dictionary<String, JSONValue>.Keys, known: Set<String>, unused: Set<String>,
        path: String, origin: ValueOrigin
    ) {
        for key in keys.sorted() where !known.contains(key) && !unused.contains(key) {
            var text = "\(originPrefix(origin))unknown key \(path).\(key)"
            if let s = Levenshtein.suggestion(for: key, among: known.union(unused)) { text += " (did you mean \(s)?)" }
            warnings.append(text)
        }
    }

    // MARK: - Validation helpers

    private mutating func checkURL(_ key: String, _ value: String, proxy: Bool = false) {
        if value.isEmpty { return }
        let schemes =
            proxy ? ["http://", "https://", "socks5://", "socks5h://", "socks4://"] : ["http://", "https://"]
        let lower = value.lowercased()
        if !schemes.contains(where: { lower.hasPrefix($0) })
            || lower.count <= (schemes.first { lower.hasPrefix($0) }?.count ?? 0)
        {
            invalid(
                key, "must be a URL starting with \(schemes.map { String($0.dropLast(3)) }.joined(separator: "/"))://")
        }
    }

    private func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.trimmedSpaces.isEmpty else { return nil }
        return s
    }

    private func resolvePath(_ s: String) -> String {
        PathExpansion.absolute(s, home: homeDirectory, base: picoclawHome)
    }

    // MARK: - Errors

    private mutating func typeMismatch(_ key: String, _ kind: ConfigValueKind, _ e: Entry) {
        var got = e.value.typeName
        if case .number(let n) = e.value, mayQuote(key) { got = "number \(n)" }
        fail(.typeMismatch, key, e.origin, "expected \(kind.expectation), got \(got)")
    }

    /// `true` when an error may quote the value of `key`: never for a secret key, never for a value read from a
    /// `_FILE` or from the secrets env file (whatever key it was given to).
    private func mayQuote(_ key: String) -> Bool {
        if ConfigSchema.leafTemplates[ConfigSchema.template(of: key)]?.isSecret == true { return false }
        switch values[key]?.origin {
        case .envFile?, .secretsFile?: return false
        default: return true
        }
    }

    /// `", got VALUE"` when ``mayQuote(_:)`` allows it, else `""`.
    private func shownValue(_ key: String, _ value: String) -> String {
        mayQuote(key) ? ", got \(value)" : ""
    }

    private mutating func invalid(_ key: String, _ problem: String) {
        fail(.invalidValue, key, values[key]?.origin ?? .default, problem)
    }

    private mutating func fail(_ kind: ConfigError.Kind, _ key: String, _ origin: ValueOrigin, _ problem: String) {
        errors.append(ConfigError(kind: kind, message: "\(label(key, origin)): \(problem)", keyPath: key))
    }

    /// `FILE: key`, `ENV_NAME: key`, `NAME_FILE (PATH): key` or just `key` for defaults.
    private func label(_ key: String, _ origin: ValueOrigin) -> String {
        originPrefix(origin) + key
    }

    private func originPrefix(_ origin: ValueOrigin) -> String {
        switch origin {
        case .default: ""
        case .file(let path): "\(path): "
        case .env(let name): "\(name): "
        case .envFile(let name, let path): "\(name) (\(path)): "
        case .secretsFile(let name, let path): "\(path) (\(name)): "
        }
    }
}

extension JSONValue {
    var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    var intValue: Int? { if case .number(let n) = self { Int(n) } else { nil } }
    var doubleValue: Double? { if case .number(let n) = self { Double(n) } else { nil } }
    var isString: Bool { if case .string = self { true } else { false } }
}

extension Array where Element == JSONValue {
    /// The elements as strings when every element is a string.
    var allStrings: [String]? {
        var out: [String] = []
        for v in self { guard case .string(let s) = v else { return nil }; out.append(s) }
        return out
    }
}
