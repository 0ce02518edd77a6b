/// The result of ``ConfigLoader/load(explicitPath:environment:homeDirectory:)``: the configuration plus
/// everything needed to explain and audit it.
public struct LoadedConfig: Sendable {
    /// The effective configuration.
    public let config: PicoConfiguration
    /// The config file path (it may not exist).
    public let path: String
    /// How ``path`` was chosen.
    public let pathSource: ConfigPathSource
    /// `false` when no config file exists (defaults + environment were used).
    public let fileExists: Bool
    /// `true` when the config path is a symbolic link (allowed; reported by the audit).
    public let configIsSymlink: Bool
    /// Problems that did not stop loading (unknown keys, insecure permissions under the override, ...).
    public let warnings: [String]
    /// Informational notes (known-but-unused PicoClaw keys, symlinked config).
    public let notices: [String]
    /// Where each value came from, by key path (`gateway.port`, `providers.openrouter.api_key`, `agents.list`).
    public let origins: [String: ValueOrigin]
    /// Redacts every loaded secret from text (logs, tool output, sessions).
    public let redactor: SecretRedactor
    /// picoclaw's home directory.
    public let picoclawHome: String
    /// Key paths of non-empty secrets written in the config file itself (even when the environment overrides
    /// them), e.g. `providers.openrouter.api_key` or `model_list[0].api_key`. Empty when all secrets come from
    /// the environment, `_FILE`s or the secrets env file.
    public let secretKeysInFile: [String]
    /// The secrets env file (`PICOCLAW_SECRETS_FILE`), if one was named.
    public let secretsFilePath: String?
    /// `true` when `PICOCLAW_ALLOW_INSECURE_CONFIG_PERMISSIONS` is set.
    public let insecurePermissionsAllowed: Bool
    /// The default search order that was tried (empty with `--config` or `PICOCLAW_CONFIG`).
    public var searchOrder: [String] = []

    /// One line for the log: which config file (and secrets file) was used and why.
    public var sourceDescription: String {
        let why: String
        switch pathSource {
        case .flag: why = "--config"
        case .environment: why = "PICOCLAW_CONFIG"
        default: why = "first existing of \(searchOrder.joined(separator: ", "))"
        }
        var text = fileExists ? "config file \(path) (\(why))" : "no config file (\(why): none exists)"
        if let secretsFilePath { text += "; secrets file \(secretsFilePath)" }
        return text
    }

    /// The origin of one key path (``ValueOrigin/default`` when unknown).
    public func origin(of keyPath: String) -> ValueOrigin { origins[keyPath] ?? .default }

    /// The effective configuration as pretty JSON with sorted keys and secrets shown as `"<redacted>"`.
    ///
    /// With `showOrigin`, the output is `{"config": {...}, "origins": {"gateway.port": "env PICOCLAW_GATEWAY_PORT", ...}}`.
    public func effectiveJSON(showOrigin: Bool) -> String {
        let tree = config.redactedJSON
        guard showOrigin else { return tree.serialized() + "\n" }
        var originTree: [String: JSONValue] = [:]
        for (key, origin) in origins { originTree[key] = .string(origin.description) }
        return JSONValue.object(["config": tree, "origins": .object(originTree)]).serialized() + "\n"
    }
}

extension PicoConfiguration {
    /// `tools.web` as a JSON tree, the search key redacted.
    private var webJSON: JSONValue {
        let w = tools.web
        return .object([
            "fetch": .object([
                "enabled": .bool(w.fetchEnabled), "timeout_seconds": .int(w.fetchTimeoutSeconds),
                "max_bytes": .int(w.fetchMaxBytes),
            ]),
            "allow_hosts": .strings(w.allowHosts), "deny_hosts": .strings(w.denyHosts),
            "search": .object([
                "provider": .string(w.searchProvider), "api_key": .string(w.searchAPIKey.description),
                "base_url": w.searchBaseURL.map(JSONValue.string) ?? .null,
                "max_results": .int(w.searchMaxResults),
            ]),
        ])
    }

    /// The configuration as a JSON tree in the file's snake_case layout, secrets redacted.
    var redactedJSON: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func secret(_ s: Secret) -> JSONValue { .string(s.description) }
        let d = agents.defaults
        let list: [JSONValue] = agents.list.map { a in
            var model: JSONValue = .null
            if let m = a.model {
                model =
                    m.fallbacks.isEmpty
                    ? .string(m.primary)
                    : .object(["primary": .string(m.primary), "fallbacks": .strings(m.fallbacks)])
            }
            return .object([
                "id": .string(a.id), "default": .bool(a.isDefault), "name": opt(a.name), "workspace": opt(a.workspace),
                "model": model, "restrict_to_workspace": a.restrictToWorkspace.map(JSONValue.bool) ?? .null,
                "memory_scope": opt(a.memoryScope?.rawValue),
                "context_window": a.contextWindow.map(JSONValue.int) ?? .null,
            ])
        }
        let bindingList: [JSONValue] = bindings.map { b in
            var match: [String: JSONValue] = ["channel": .string(b.match.channel)]
            if let v = b.match.accountID { match["account_id"] = .string(v) }
            if let p = b.match.peer {
                match["peer"] = .object(["kind": .string(p.kind.rawValue), "id": .string(p.id)])
            }
            if let v = b.match.guildID { match["guild_id"] = .string(v) }
            if let v = b.match.teamID { match["team_id"] = .string(v) }
            return .object(["agent_id": .string(b.agentID), "match": .object(match)])
        }
        var providerTree: [String: JSONValue] = [:]
        for (name, p) in providers {
            providerTree[name] = .object([
                "api_key": secret(p.apiKey), "api_base": opt(p.apiBase), "proxy": opt(p.proxy),
                "request_timeout": .int(p.requestTimeout),
            ])
        }
        let t = channels.telegram, dc = channels.discord, g = gateway, e = tools.exec
        return .object([
            "agents": .object([
                "defaults": .object([
                    "workspace": .string(d.workspace), "restrict_to_workspace": .bool(d.restrictToWorkspace),
                    "model": .string(d.model), "max_tokens": .int(d.maxTokens), "temperature": .double(d.temperature),
                    "max_tool_iterations": .int(d.maxToolIterations),
                    "max_history_messages": .int(d.maxHistoryMessages),
                    "model_fallbacks": .strings(d.modelFallbacks), "context_window": .int(d.contextWindow),
                    "summarize_at": .double(d.summarizeAt), "memory_scope": .string(d.memoryScope?.rawValue ?? ""),
                    "memory_max_bytes": .int(d.memoryMaxBytes), "timezone": .string(d.timezone),
                ]),
                "list": .array(list),
            ]),
            "bindings": .array(bindingList),
            "providers": .object(providerTree),
            "channels": .object([
                "telegram": .object([
                    "enabled": .bool(t.enabled), "token": secret(t.token), "allow_from": .strings(t.allowFrom),
                    "proxy": opt(t.proxy), "mention_only": .bool(t.mentionOnly), "base_url": .string(t.baseURL),
                    "state_file": opt(t.stateFile), "dm_policy": .string(t.dmPolicy.rawValue),
                    "owners": .strings(t.owners),
                ]),
                "discord": .object([
                    "enabled": .bool(dc.enabled), "token": secret(dc.token), "allow_from": .strings(dc.allowFrom),
                    "proxy": opt(dc.proxy), "mention_only": .bool(dc.mentionOnly), "api_base": .string(dc.apiBase),
                    "dm_policy": .string(dc.dmPolicy.rawValue), "owners": .strings(dc.owners),
                ]),
            ]),
            "gateway": .object([
                "host": .string(g.host), "port": .int(g.port), "pid_file": opt(g.pidFile),
                "allow_public_bind": .bool(g.allowPublicBind), "log_file": opt(g.logFile),
                "log_level": .string(g.logLevel.rawValue), "state_dir": .string(g.stateDir),
                "shutdown_grace_seconds": .int(g.shutdownGraceSeconds),
            ]),
            "limits": .object([
                "messages_per_minute": .int(limits.messagesPerMinute), "tokens_per_day": .int(limits.tokensPerDay),
                "cost_per_day_usd": .double(limits.costPerDayUSD),
                "prices": .strings(
                    limits.prices.map {
                        "\($0.model)=\(ConfigSchema.plain($0.inputPerMillion))/\(ConfigSchema.plain($0.outputPerMillion))"
                    }),
            ]),
            "tools": .object([
                "exec": .object([
                    "enabled": .bool(e.enabled), "enable_deny_patterns": .bool(e.enableDenyPatterns),
                    "custom_deny_patterns": .strings(e.customDenyPatterns), "timeout_seconds": .int(e.timeoutSeconds),
                    "max_output_bytes": .int(e.maxOutputBytes), "sandbox": .string(e.sandbox),
                    "network": .bool(e.network),
                    "limits": .object([
                        "processes": .int(e.limits.processes), "memory_mb": .int(e.limits.memoryMB),
                        "file_size_mb": .int(e.limits.fileSizeMB), "open_files": .int(e.limits.openFiles),
                        "cpu_seconds": .int(e.limits.cpuSeconds), "tmp_size_mb": .int(e.limits.tmpSizeMB),
                    ]),
                    "approval": .string(e.approval),
                    "approval_patterns": .strings(e.approvalPatterns),
                    "approval_timeout_seconds": .int(e.approvalTimeoutSeconds),
                ]),
                "web": webJSON,
                "schedule": .object([
                    "enabled": .bool(tools.schedule.enabled),
                    "max_per_sender": .int(tools.schedule.maxPerSender),
                ]),
                "transcription": .object([
                    "provider": opt(tools.transcription.provider), "model": .string(tools.transcription.model),
                    "api_key": secret(tools.transcription.apiKey), "api_base": opt(tools.transcription.apiBase),
                ]),
            ]),
            "media": .object([
                "max_age_days": .int(media.maxAgeDays), "max_file_mb": .int(media.maxFileMB),
                "vision_models": .strings(media.visionModels), "text_only_models": .strings(media.textOnlyModels),
            ]),
        ])
    }
}
