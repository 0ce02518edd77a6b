import PicoFakes
import Testing
@testable import PicoConfig

@Suite struct AgentsConfigTests {
    @Test func implicitMainAgent() throws {
        let dir = TempDir()
        dir.config(#"{"agents": {"defaults": {"restrict_to_workspace": false, "model": "m"}}}"#)
        let agents = try dir.load().config.resolvedAgents()
        #expect(
            agents == [
                ResolvedAgent(
                    id: "main", name: "main", workspace: dir.path + "/workspace", model: "m",
                    restrictToWorkspace: false, isDefault: true)
            ])
    }

    @Test func perAgentRestrictToWorkspace() throws {
        let dir = TempDir()
        dir.config(
            """
            {"agents": {"defaults": {"restrict_to_workspace": true, "model": "base"},
                        "list": [{"id": "open", "restrict_to_workspace": false}, {"id": "closed"}, {"id": "third", "restrict_to_workspace": true}]}}
            """)
        let agents = try dir.load().config.resolvedAgents()
        #expect(agents.map(\.restrictToWorkspace) == [false, true, true])
        dir.config(
            #"{"agents": {"defaults": {"restrict_to_workspace": false}, "list": [{"id": "a"}, {"id": "b", "restrict_to_workspace": true}]}}"#
        )
        #expect(try dir.load().config.resolvedAgents().map(\.restrictToWorkspace) == [false, true])
    }

    @Test func defaultAgentAndWorkspaces() throws {
        let dir = TempDir()
        dir.config(
            """
            {"agents": {"defaults": {"workspace": "/srv/ws", "model": "base"},
                        "list": [{"id": "first"}, {"id": "Boss", "default": true, "name": "The Boss"}, {"id": "main"},
                                 {"id": "custom", "workspace": "~/c", "model": {"primary": "p", "fallbacks": ["f1"]}}]}}
            """)
        let agents = try dir.load().config.resolvedAgents()
        #expect(agents.map(\.id) == ["first", "boss", "main", "custom"])
        #expect(agents.map(\.isDefault) == [false, true, false, false])
        #expect(agents.map(\.workspace) == [dir.path + "/workspace-first", "/srv/ws", "/srv/ws", dir.path + "/home/c"])
        #expect(agents[1].name == "The Boss" && agents[0].name == "first")
        #expect(agents.map(\.model) == ["base", "base", "base", "p"])
        #expect(agents[3].modelFallbacks == ["f1"])
        // Without any default:true the first entry is the default and uses agents.defaults.workspace.
        dir.config(#"{"agents": {"list": [{"id": "x"}, {"id": "y"}]}}"#)
        let plain = try dir.load().config.resolvedAgents()
        #expect(plain.map(\.isDefault) == [true, false])
        #expect(plain.map(\.workspace) == [dir.path + "/workspace", dir.path + "/workspace-y"])
    }

    @Test(arguments: [
        ("Main", "main"), ("My Agent!", "my-agent"), ("a__b--c", "a__b--c"), ("  ", "main"),
        ("-_x", "x"), ("ÄÖÜ", "main"), ("sales.bot@team", "sales-bot-team"),
        (String(repeating: "a", count: 80), String(repeating: "a", count: 64)),
    ])
    func idNormalisation(raw: String, expected: String) {
        #expect(AgentID.normalize(raw) == expected)
        let id = AgentID.normalize(raw)
        #expect(id.count <= 64)
    }

    @Test func agentListErrors() {
        let dir = TempDir()
        let path = dir.config(
            #"{"agents": {"list": [{"name": "x"}, {"id": 5}, {"id": "a"}, {"id": "A"}, {"id": "b", "model": 3, "restrict_to_workspace": "no"}, 7]}}"#
        )
        let e = expectConfigError { _ = try dir.load() }
        let m = e?.message ?? ""
        #expect(m.contains("\(path): agents.list[0].id: required"))
        #expect(m.contains("\(path): agents.list[1].id: expected a string, got number"))
        #expect(m.contains("\(path): agents.list[3].id: duplicate agent id 'a'"))
        #expect(m.contains("\(path): agents.list[4].model: expected a string or"))
        #expect(m.contains("\(path): agents.list[4].restrict_to_workspace: expected a boolean, got string"))
        #expect(m.contains("\(path): agents.list[5]: expected an object, got number"))
    }

    @Test func agentListFromEnvironment() throws {
        let dir = TempDir()
        let loaded = try dir.load([
            "PICOCLAW_AGENTS_LIST": #"[{"id": "ops", "restrict_to_workspace": false, "restrict_to_workspac": 1}]"#
        ])
        #expect(loaded.config.resolvedAgents().map(\.id) == ["ops"])
        #expect(
            loaded.warnings == [
                "PICOCLAW_AGENTS_LIST: unknown key agents.list[0].restrict_to_workspac (did you mean restrict_to_workspace?)"
            ])
    }

    @Test func bindings() throws {
        let dir = TempDir()
        dir.config(
            """
            {"agents": {"list": [{"id": "a"}, {"id": "b"}]},
             "bindings": [{"agent_id": "b", "match": {"channel": "Discord", "guild_id": 123456789012345678, "peer": {"kind": "channel", "id": 42}}},
                          {"agent_id": "ghost", "match": {"channel": "telegram"}}]}
            """)
        let loaded = try dir.load()
        let b = loaded.config.bindings
        #expect(b.count == 2)
        #expect(
            b[0].match
                == BindingMatch(
                    channel: "discord", peer: BindingPeer(kind: .channel, id: "42"), guildID: "123456789012345678"))
        #expect(loaded.warnings.contains { $0.contains("bindings[1].agent_id: no agent 'ghost'") })
        dir.config(#"{"bindings": [{"agent_id": "main", "match": {"peer": {"kind": "dm", "id": "1"}}}]}"#)
        let e = expectConfigError { _ = try dir.load() }
        #expect(e?.message.contains("bindings[0].match.channel: required") == true)
        dir.config(
            #"{"bindings": [{"agent_id": "main", "match": {"channel": "x", "peer": {"kind": "dm", "id": "1"}}}]}"#)
        #expect(
            expectConfigError { _ = try dir.load() }?.message.contains(
                "bindings[0].match.peer.kind: must be direct, group or channel, got 'dm'") == true)
    }
}
