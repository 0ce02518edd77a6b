import PicoFakes
import Testing
@testable import PicoConfig

/// The keys of the web tools, memory, fallbacks and long conversations.
@Suite struct AssistantConfigTests {
    @Test func webSearchKeyComesFromAFileAndIsRedacted() throws {
        let dir = TempDir()
        let key = dir.write("secrets/brave", "BSA-from-file-123456\n", mode: 0o400)
        dir.config(#"{"tools": {"web": {"search": {"provider": "brave"}, "deny_hosts": ["intranet.example"]}}}"#)
        let loaded = try dir.load([
            "PICOCLAW_TOOLS_WEB_SEARCH_API_KEY_FILE": key, "PICOCLAW_TOOLS_WEB_ALLOW_HOSTS": "a.example, b.example",
        ])
        let web = loaded.config.tools.web
        #expect(web.searchProvider == "brave" && web.searchAPIKey.reveal() == "BSA-from-file-123456")
        #expect(web.denyHosts == ["intranet.example"] && web.allowHosts == ["a.example", "b.example"])
        #expect(web.fetchEnabled && web.fetchMaxBytes == 2 << 20 && web.fetchTimeoutSeconds == 30)
        #expect(loaded.redactor.redact("k=BSA-from-file-123456") == "k=<redacted>")
        #expect(!loaded.effectiveJSON(showOrigin: false).contains("BSA-from-file"))
    }

    @Test func webSearchMisconfigurationsNameTheKey() {
        let dir = TempDir()
        dir.config(#"{"tools": {"web": {"search": {"provider": "tavily"}}}}"#)
        #expect(expectConfigError { _ = try dir.load() }?.description.contains("tools.web.search.api_key") == true)
        dir.config(#"{"tools": {"web": {"search": {"provider": "searxng"}}}}"#)
        #expect(expectConfigError { _ = try dir.load() }?.description.contains("tools.web.search.base_url") == true)
        dir.config(#"{"tools": {"web": {"search": {"provider": "google"}}}}"#)
        #expect(expectConfigError { _ = try dir.load() }?.description.contains("brave, tavily, searxng") == true)
        dir.config(#"{"tools": {"web": {"fetch": {"max_bytes": 99999999}}}}"#)
        #expect(expectConfigError { _ = try dir.load() }?.description.contains("tools.web.fetch.max_bytes") == true)
    }

    @Test func agentKeysResolvePerAgent() throws {
        let dir = TempDir()
        dir.config(
            """
            {"agents": {"defaults": {"model": "openai/a", "model_fallbacks": ["groq/b"], "memory_scope": "agent",
                                     "context_window": 32000},
                        "list": [{"id": "main"},
                                 {"id": "other", "memory_scope": "sender", "context_window": 200000,
                                  "model": {"primary": "anthropic/c", "fallbacks": ["openai/d"]}}]}}
            """)
        let agents = try dir.load().config.resolvedAgents()
        #expect(
            agents[0].modelFallbacks == ["groq/b"] && agents[0].memoryScope == .agent
                && agents[0].contextWindow == 32000)
        #expect(
            agents[1].modelFallbacks == ["openai/d"] && agents[1].memoryScope == .sender
                && agents[1].contextWindow == 200000)
        dir.config(#"{"agents": {"defaults": {"memory_scope": "everyone"}}}"#)
        #expect(expectConfigError { _ = try dir.load() }?.description.contains("memory_scope") == true)
        dir.config(#"{"agents": {"defaults": {"summarize_at": 1.5}}}"#)
        #expect(expectConfigError { _ = try dir.load() }?.description.contains("summarize_at") == true)
    }
}
