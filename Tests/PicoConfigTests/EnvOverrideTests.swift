import PicoFakes
import Testing
@testable import PicoConfig

/// Builds nested JSON text from dotted paths.
func nestedJSON(_ leaves: [String: PicoConfig.JSONValue]) -> String {
    var root: [String: PicoConfig.JSONValue] = [:]
    func insert(
        _ parts: ArraySlice<String>, _ value: PicoConfig.JSONValue, into obj: inout [String: PicoConfig.JSONValue]
    ) {
        let head = parts.first!
        if parts.count == 1 { obj[head] = value; return }
        var child: [String: PicoConfig.JSONValue] = [:]
        if case .object(let existing)? = obj[head] { child = existing }
        insert(parts.dropFirst(), value, into: &child)
        obj[head] = .object(child)
    }
    for (path, value) in leaves { insert(ArraySlice(path.split(separator: ".").map(String.init)), value, into: &root) }
    return PicoConfig.JSONValue.object(root).serialized()
}

/// Looks a dotted path up in a JSON tree.
func lookup(_ tree: PicoConfig.JSONValue, _ path: String) -> PicoConfig.JSONValue? {
    var node = tree
    for part in path.split(separator: ".") {
        guard case .object(let m) = node, let next = m[String(part)] else { return nil }
        node = next
    }
    return node
}

/// A valid (file value, env text, expected effective value) triple for each key.
func samples(for key: ConfigKey) -> (file: PicoConfig.JSONValue, env: String, expected: PicoConfig.JSONValue) {
    let p = key.path
    switch p {  // keys with a restricted range
    case "agents.defaults.context_window", "tools.web.fetch.max_bytes": return (.int(2048), "4096", .int(4096))
    case "agents.defaults.summarize_at": return (.double(0.5), "0.6", .double(0.6))
    case "agents.defaults.memory_scope": return (.string("agent"), "sender", .string("sender"))
    case "agents.defaults.timezone": return (.string("Europe/Berlin"), "America/New_York", .string("America/New_York"))
    case "tools.web.search.provider": return (.string("brave"), "searxng", .string("searxng"))
    case "tools.web.search.max_results": return (.int(3), "7", .int(7))
    default: break
    }
    switch key.kind {
    case .bool: return (.bool(false), "true", .bool(true))
    case .int: return (.int(7), "42", .int(42))
    case .double: return (.double(0.5), "1.5", .double(1.5))
    case .path: return (.string("/file/path"), "/env/path", .string("/env/path"))
    case .secret: return (.string("file-secret-\(p)"), "env-secret-\(p)", .string("<redacted>"))
    case .stringList where p == "limits.prices":
        return (.strings(["f=1/2"]), "a=1/2, b=0.5/3,,", .strings(["a=1/2", "b=0.5/3"]))
    case .stringList, .idList: return (.strings(["f"]), "a, b,,", .strings(["a", "b"]))
    case .objectList:
        if p == "agents.list" {
            return (
                .array([.object(["id": .string("fileagent")])]), #"[{"id": "EnvAgent"}]"#,
                .array([
                    .object([
                        "id": .string("envagent"), "default": .bool(false), "name": .null, "workspace": .null,
                        "model": .null, "restrict_to_workspace": .null, "memory_scope": .null,
                        "context_window": .null,
                    ])
                ])
            )
        }
        return (
            .array([]), #"[{"agent_id": "envagent", "match": {"channel": "Telegram"}}]"#,
            .array([.object(["agent_id": .string("envagent"), "match": .object(["channel": .string("telegram")])])])
        )
    case .string:
        if p.hasSuffix("api_base") || p.hasSuffix("base_url") {
            return (.string("https://file.example"), "https://env.example/v1", .string("https://env.example/v1"))
        }
        if p.hasSuffix("proxy") { return (.string("http://file:1"), "socks5://env:1080", .string("socks5://env:1080")) }
        if p == "gateway.host" { return (.string("127.0.0.2"), "localhost", .string("localhost")) }
        if p == "gateway.log_level" { return (.string("error"), "debug", .string("debug")) }
        if p == "tools.exec.sandbox" { return (.string("namespaces"), "landlock", .string("landlock")) }
        if p.hasSuffix("dm_policy") { return (.string("allowlist"), "pairing", .string("pairing")) }
        if p == "tools.exec.approval" { return (.string("off"), "always", .string("always")) }
        return (.string("file-\(p)"), "env-\(p)", .string("env-\(p)"))
    }
}

@Suite struct EnvOverrideTests {
    @Test func envNamesAreDerivedFromPaths() {
        let keys = ConfigSchema.keys()
        #expect(Set(keys.map(\.envName)).count == keys.count)
        let names = Set(keys.map(\.envName))
        for expected in [
            "PICOCLAW_PROVIDERS_OPENROUTER_API_KEY", "PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM", "PICOCLAW_GATEWAY_PORT",
            "PICOCLAW_TOOLS_EXEC_CUSTOM_DENY_PATTERNS", "PICOCLAW_AGENTS_LIST", "PICOCLAW_BINDINGS",
            "PICOCLAW_AGENTS_DEFAULTS_MAX_HISTORY_MESSAGES", "PICOCLAW_PROVIDERS_QWEN_REQUEST_TIMEOUT",
        ] {
            #expect(names.contains(expected), "\(expected)")
        }
        for provider in ConfigSchema.knownProviders {
            #expect(names.contains("PICOCLAW_PROVIDERS_\(provider.uppercased())_API_KEY"))
        }
        #expect(ConfigSchema.envName(for: "providers.my-llm.api_key") == "PICOCLAW_PROVIDERS_MY_LLM_API_KEY")
    }

    /// Every schema key: the file sets one value, the environment another; the environment wins.
    @Test func everyKeyHasAnEnvNameAndEnvBeatsFile() throws {
        let dir = TempDir()
        let keys = ConfigSchema.keys(providers: ["custom"])
        var fileLeaves: [String: PicoConfig.JSONValue] = [:]
        var env: [String: String] = [:]
        for key in keys {
            let s = samples(for: key)
            fileLeaves[key.path] = s.file
            env[key.envName] = s.env
        }
        dir.config(nestedJSON(fileLeaves))
        let loaded = try dir.load(env)
        let tree = loaded.config.redactedJSON
        for key in keys {
            #expect(loaded.origin(of: key.path) == .env(name: key.envName), "\(key.path)")
            if key.path == "agents.defaults.model_name" { continue }  // folded into model
            #expect(lookup(tree, key.path) == samples(for: key).expected, "\(key.path)")
        }
        for key in keys where key.isSecret {
            #expect(loaded.redactor.redact("x env-secret-\(key.path) y") == "x <redacted> y")
        }
        #expect(loaded.config.providers["custom"]?.apiKey.reveal() == "env-secret-providers.custom.api_key")
        #expect(loaded.config.providers.count == ConfigSchema.knownProviders.count + 1)
        #expect(loaded.warnings.filter { !$0.contains("no agent") }.isEmpty, "\(loaded.warnings)")
    }

    @Test func envAppliesPerProviderWithoutFile() throws {
        let dir = TempDir()
        let loaded = try dir.load(["PICOCLAW_PROVIDERS_OPENROUTER_API_KEY": "sk-or-v1-xxx"])
        #expect(Array(loaded.config.providers.keys) == ["openrouter"])
        let p = try #require(loaded.config.providers["openrouter"])
        #expect(p.apiKey.reveal() == "sk-or-v1-xxx")
        #expect(p.requestTimeout == 120)
        #expect(p.apiBase == nil)
    }

    @Test func listParsing() throws {
        let dir = TempDir()
        dir.config(
            #"{"channels": {"telegram": {"allow_from": [123456789, "987654321", "@alice", 123456789012345678]}}}"#)
        var c = try dir.load().config
        #expect(c.channels.telegram.allowFrom == ["123456789", "987654321", "@alice", "123456789012345678"])

        c = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM": " 1, @bob ,,2 "]).config
        #expect(c.channels.telegram.allowFrom == ["1", "@bob", "2"])
        c = try dir.load(["PICOCLAW_CHANNELS_DISCORD_ALLOW_FROM": #"[123456789012345678, "42"]"#]).config
        #expect(c.channels.discord.allowFrom == ["123456789012345678", "42"])
        c = try dir.load(["PICOCLAW_TOOLS_EXEC_CUSTOM_DENY_PATTERNS": #"["a{1,2}", "rm -rf"]"#]).config
        #expect(c.tools.exec.customDenyPatterns == ["a{1,2}", "rm -rf"])
    }

    @Test func listParsingErrors() {
        let dir = TempDir()
        let e1 = expectConfigError { _ = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM": "[1, 2"]) }
        #expect(e1?.message.contains("PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM") == true)
        let e2 = expectConfigError { _ = try dir.load(["PICOCLAW_TOOLS_EXEC_CUSTOM_DENY_PATTERNS": "[1]"]) }
        #expect(e2?.message.contains("tools.exec.custom_deny_patterns[0]") == true)
        #expect(e2?.message.contains("PICOCLAW_TOOLS_EXEC_CUSTOM_DENY_PATTERNS") == true)
        let e3 = expectConfigError { _ = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_ALLOW_FROM": "[1.5]"]) }
        #expect(e3?.kind == .typeMismatch)
    }

    @Test(arguments: [("true", true), ("FALSE", false), ("1", true), ("0", false), ("Yes", true), ("no", false)])
    func boolValues(text: String, value: Bool) throws {
        let dir = TempDir()
        #expect(try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_ENABLED": text]).config.channels.telegram.enabled == value)
    }

    @Test func invalidEnvValuesNameTheVariable() {
        let dir = TempDir()
        let b = expectConfigError { _ = try dir.load(["PICOCLAW_CHANNELS_TELEGRAM_ENABLED": "maybe"]) }
        #expect(b?.kind == .environment)
        #expect(
            b?.message == "PICOCLAW_CHANNELS_TELEGRAM_ENABLED: expected a boolean (true/false/1/0/yes/no), got 'maybe'")
        let i = expectConfigError { _ = try dir.load(["PICOCLAW_GATEWAY_PORT": "80a"]) }
        #expect(i?.message == "PICOCLAW_GATEWAY_PORT: expected an integer, got '80a'")
        #expect(i?.exitCode == 1)
        let d = expectConfigError { _ = try dir.load(["PICOCLAW_AGENTS_DEFAULTS_TEMPERATURE": "hot"]) }
        #expect(d?.message.hasPrefix("PICOCLAW_AGENTS_DEFAULTS_TEMPERATURE") == true)
        let l = expectConfigError { _ = try dir.load(["PICOCLAW_AGENTS_LIST": #"{"id": "x"}"#]) }
        #expect(l?.message.hasPrefix("PICOCLAW_AGENTS_LIST: invalid JSON array") == true)
    }

    @Test func emptyEnvValueMeansUnset() throws {
        let dir = TempDir()
        dir.config(#"{"gateway": {"port": 1234}}"#)
        let loaded = try dir.load(["PICOCLAW_GATEWAY_PORT": ""])
        #expect(loaded.config.gateway.port == 1234)
        #expect(loaded.origin(of: "gateway.port") == .file(path: dir.path + "/config.json"))
    }

    @Test func unknownEnvironmentVariableWarns() throws {
        let dir = TempDir()
        let loaded = try dir.load([
            "PICOCLAW_GATEWAY_PROT": "1", "PICOCLAW_PROVIDERS_NOPE_API_KEY": "zzzzzz", "PICOCLAW_UNRELATED_THING": "x",
        ])
        #expect(
            loaded.warnings.contains {
                $0.contains("PICOCLAW_GATEWAY_PROT") && $0.contains("did you mean PICOCLAW_GATEWAY_PORT?")
            })
        #expect(loaded.warnings.contains { $0.contains("PICOCLAW_PROVIDERS_NOPE_API_KEY") })
        #expect(!loaded.warnings.contains { $0.contains("UNRELATED") })
    }

    @Test func modelNameAlias() throws {
        let dir = TempDir()
        dir.config(#"{"agents": {"defaults": {"model_name": "gpt-4o"}}}"#)
        #expect(try dir.load().config.agents.defaults.model == "gpt-4o")
        dir.config(#"{"agents": {"defaults": {"model_name": "gpt-4o", "model": "claude"}}}"#)
        #expect(try dir.load().config.agents.defaults.model == "claude")
    }
}
