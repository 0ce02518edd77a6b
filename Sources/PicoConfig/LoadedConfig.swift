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
    /// The configuration as a JSON tree in the file's snake_case layout, secrets redacted.
    var redactedJSON: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func secret(_ s: Secret) -> JSONValue { .string(s.description) }
        let d = agents.defaults
        let list: [JSONValue] = agents.list.map { a in
            var model: JSONValue = .null
            if let m = a.model {
                model = m.fallbacks.isEmpty ? .string(m.primary)
                    : .object(["primary": .string(m.primary), "fallbacks": .strings(m.fallbacks)])
            }
            return .object([
                "id": .string(a.id), "default": .bool(a.isDefault), "name": opt(a.name), "workspace": opt(a.workspace),
                "model": model, "restrict_to_workspace": a.restrictToWorkspace.map(JSONValue.bool) ?? .null,
            ])
        }
        let bindingList: [JSONValue] = bindings.map { b in
            var match: [String: JSONValue] = ["channel": .string(b.match.channel)]
            if let v = b.match.accountID { match["account_id"] = .string(v) }
            if let p = b.match.peer { match["peer"] = .object(["kind": .string(p.kind.rawValue), "id": .string(p.id)]) }
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
                    "max_tool_iterations": .int(d.maxToolIterations), "max_history_messages": .int(d.maxHistoryMessages),
                ]),
                "list": .array(list),
            ]),
            "bindings": .array(bindingList),
            "providers": .object(providerTree),
            "channels": .object([
                "telegram": .object([
                    "enabled": .bool(t.enabled), "token": secret(t.token), "allow_from": .strings(t.allowFrom),
                    "proxy": opt(t.proxy), "mention_only": .bool(t.mentionOnly), "base_url": .string(t.baseURL),
                    "state_file": opt(t.stateFile),
                ]),
                "discord": .object([
                    "enabled": .bool(dc.enabled), "token": secret(dc.token), "allow_from": .strings(dc.allowFrom),
                    "proxy": opt(dc.proxy), "mention_only": .bool(dc.mentionOnly), "api_base": .string(dc.apiBase),
                ]),
            ]),
            "gateway": .object([
                "host": .string(g.host), "port": .int(g.port), "pid_file": opt(g.pidFile),
                "allow_public_bind": .bool(g.allowPublicBind), "log_file": opt(g.logFile),
                "log_level": .string(g.logLevel.rawValue), "state_dir": .string(g.stateDir),
                "shutdown_grace_seconds": .int(g.shutdownGraceSeconds),
            ]),
            "tools": .object([
                "exec": .object([
                    "enabled": .bool(e.enabled), "enable_deny_patterns": .bool(e.enableDenyPatterns),
                    "custom_deny_patterns": .strings(e.customDenyPatterns), "timeout_seconds": .int(e.timeoutSeconds),
                    "max_output_bytes": .int(e.maxOutputBytes),
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
