import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct CompatibilityTests {
    /// The JSON examples of the security checklist (../shared/seed/security-checklist.md), verbatim.
    static let checklistExamples = [
        #"{ "gateway": { "host": "127.0.0.1", "port": 18790 } }"#,
        """
        { "channels": { "telegram": { "enabled": true, "token": "YOUR_TOKEN", "allow_from": ["123456789", "987654321"] },
                        "discord": { "enabled": true, "token": "YOUR_TOKEN", "allow_from": ["123456789012345678"] } } }
        """,
        #"{ "agents": { "defaults": { "restrict_to_workspace": true, "workspace": "/var/lib/picoclaw/workspace" } } }"#,
        #"""
        { "tools": { "exec": { "enable_deny_patterns": true, "custom_deny_patterns": [
            "rm -rf", "dd if=", "mkfs", "shutdown", "reboot", "init 0", "> /dev/sd", "chmod 777", "wget.*\\|.*sh", "curl.*\\|.*sh" ] } } }
        """#,
        """
        { "agents": { "list": [
            { "id": "agent-a", "workspace": "/var/lib/picoclaw/agent-a", "restrict_to_workspace": true },
            { "id": "agent-b", "workspace": "/var/lib/picoclaw/agent-b", "restrict_to_workspace": true } ] } }
        """,
    ]

    @Test(arguments: 0..<checklistExamples.count)
    func securityChecklistExamplesLoad(index: Int) throws {
        let dir = TempDir()
        dir.config(Self.checklistExamples[index])
        let loaded = try dir.load()
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(loaded.notices.isEmpty)
    }

    @Test func checklistValuesAreApplied() throws {
        let dir = TempDir()
        dir.config(Self.checklistExamples[3])
        #expect(try dir.load().config.tools.exec.customDenyPatterns.count == 10)
        dir.config(Self.checklistExamples[1])
        let c = try dir.load().config
        #expect(c.channels.telegram.enabled && c.channels.telegram.allowFrom == ["123456789", "987654321"])
        #expect(c.channels.discord.token.reveal() == "YOUR_TOKEN")
        dir.config(Self.checklistExamples[4])
        #expect(
            try dir.load().config.resolvedAgents().map(\.workspace) == [
                "/var/lib/picoclaw/agent-a", "/var/lib/picoclaw/agent-b",
            ])
    }

    /// A config as PicoClaw v0.2.0 writes it (SaveConfig emits every section).
    static let picoclawV020 = """
        {
          "agents": {
            "defaults": {
              "workspace": "~/.picoclaw/workspace", "restrict_to_workspace": true, "provider": "", "model_name": "gpt4",
              "model": "", "model_fallbacks": ["claude"], "image_model": "", "max_tokens": 32768, "max_tool_iterations": 50
            },
            "list": [
              {"id": "Main", "default": true, "skills": ["weather"], "subagents": {"allow_agents": ["*"]},
               "model": {"primary": "gpt4", "fallbacks": ["claude"]}},
              {"id": "helper", "model": "claude"}
            ]
          },
          "bindings": [{"agent_id": "helper", "match": {"channel": "telegram", "account_id": "*", "peer": {"kind": "group", "id": "-100123"}}}],
          "session": {"dm_scope": "per-channel-peer", "identity_links": {}},
          "channels": {
            "telegram": {"enabled": false, "token": "", "proxy": "", "allow_from": [], "group_trigger": {"mention_only": false, "prefixes": []},
                         "typing": {"enabled": true}, "placeholder": {"enabled": true, "text": "Thinking... 💭"}, "reasoning_channel_id": ""},
            "discord": {"enabled": false, "token": "", "allow_from": [], "mention_only": false, "group_trigger": {}, "reasoning_channel_id": ""},
            "whatsapp": {"enabled": false, "bridge_url": "ws://localhost:3001"},
            "feishu": {"enabled": false, "app_id": "", "app_secret": ""},
            "maixcam": {"enabled": false, "host": "0.0.0.0", "port": 18790},
            "qq": {}, "dingtalk": {}, "slack": {}, "line": {}, "onebot": {}, "wecom": {}, "wecom_app": {}, "pico": {}
          },
          "providers": {
            "openai": {"api_key": "", "api_base": "", "proxy": "", "auth_method": "", "connect_mode": "", "web_search": true},
            "shengsuanyun": {"api_key": "", "api_base": ""}
          },
          "model_list": [{"model_name": "gpt4", "model": "openai/gpt-4o", "api_key": "", "api_base": "https://api.openai.com/v1"}],
          "gateway": {"host": "127.0.0.1", "port": 18790},
          "tools": {
            "web": {"brave": {"enabled": false, "api_key": "", "max_results": 5}, "duckduckgo": {"enabled": true, "max_results": 5}},
            "cron": {"exec_timeout_minutes": 5},
            "exec": {"enable_deny_patterns": true, "custom_deny_patterns": []},
            "skills": {"registries": {"clawhub": {"enabled": true, "base_url": "https://clawhub.ai"}}},
            "media_cleanup": {"enabled": true, "max_age_minutes": 30, "interval_minutes": 5}
          },
          "heartbeat": {"enabled": true, "interval": 30},
          "devices": {"enabled": false, "monitor_usb": true}
        }
        """

    @Test func picoclawV020FileLoadsWithoutWarnings() throws {
        let dir = TempDir()
        dir.config(Self.picoclawV020, mode: 0o644)  // no non-empty secrets → 0644 is fine
        let loaded = try dir.load()
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        #expect(loaded.notices.count == 1)
        #expect(
            loaded.notices[0].contains("model_list") && loaded.notices[0].contains("heartbeat")
                && loaded.notices[0].contains("session"))
        let c = loaded.config
        #expect(c.agents.defaults.model == "gpt4")
        #expect(c.agents.defaults.maxTokens == 32768)
        #expect(c.agents.defaults.workspace == dir.path + "/home/.picoclaw/workspace")
        #expect(Set(c.providers.keys) == ["openai", "shengsuanyun"])
        #expect(c.providers["openai"]?.apiBase == nil, "empty api_base means the provider default")
        #expect(
            c.bindings == [
                BindingConfig(
                    agentID: "helper",
                    match: BindingMatch(
                        channel: "telegram", accountID: "*", peer: BindingPeer(kind: .group, id: "-100123")))
            ])
        let agents = c.resolvedAgents()
        #expect(agents.map(\.id) == ["main", "helper"])
        #expect(agents[0].modelFallbacks == ["claude"])
        #expect(agents[1].model == "claude")
    }

    @Test func fileNamedProviderGetsEnvNames() throws {
        let dir = TempDir()
        dir.config(#"{"providers": {"shengsuanyun": {"api_base": "https://router.example/v1"}}}"#)
        let loaded = try dir.load(["PICOCLAW_PROVIDERS_SHENGSUANYUN_API_KEY": "ssy-key-123"])
        #expect(loaded.config.providers["shengsuanyun"]?.apiKey.reveal() == "ssy-key-123")
        #expect(loaded.warnings.isEmpty)
    }
}
