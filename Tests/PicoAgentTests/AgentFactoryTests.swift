import PicoAgent
import PicoConfig
import PicoFakes
import Testing

@Suite("Agent factory, multi-agent routing and per-agent restriction")
struct AgentFactoryTests {
    @Test func modelPrefixSelectsProvider() throws {
        let providers: [String: ProviderConfig] = [
            "openrouter": ProviderConfig(apiKey: Secret("sk-or-123456")),
            "anthropic": ProviderConfig(apiKey: Secret("sk-ant-123456")),
        ]
        #expect(
            try ModelResolver.resolve(model: "openrouter/anthropic/claude-sonnet-4", providers: providers).get()
                == ModelSelection(provider: "openrouter", modelID: "anthropic/claude-sonnet-4"))
        #expect(
            try ModelResolver.resolve(model: "anthropic/claude-sonnet-4", providers: providers).get()
                == ModelSelection(provider: "anthropic", modelID: "claude-sonnet-4"))
        // Unknown prefix → first configured provider (openrouter first), model unchanged.
        #expect(
            try ModelResolver.resolve(model: "gpt-4o", providers: providers).get()
                == ModelSelection(provider: "openrouter", modelID: "gpt-4o"))
        #expect(
            try ModelResolver.resolve(model: "openai/gpt-4o", providers: providers).get()
                == ModelSelection(provider: "openrouter", modelID: "openai/gpt-4o"))
        // Local providers need no key.
        #expect(
            try ModelResolver.resolve(model: "ollama/llama3", providers: ["ollama": ProviderConfig()]).get()
                == ModelSelection(provider: "ollama", modelID: "llama3"))
        if case .success = ModelResolver.resolve(model: "openrouter/x", providers: [:]) {
            Issue.record("expected failure")
        }
    }

    @Test func missingKeyIsABuildErrorForTheCLIButNotForTheGateway() throws {
        let home = TempDir(); defer { home.remove() }
        let config = PicoConfiguration(
            agents: AgentsConfig(defaults: AgentDefaults(workspace: home.at("ws"), model: "openrouter/some/model")),
            providers: ["openrouter": ProviderConfig()], picoclawHome: home.path)
        #expect(throws: AgentFactoryError.self) {
            _ = try AgentFactory.make(from: config, redactor: .none, options: .init(requireProvider: true))
        }
        do {
            _ = try AgentFactory.make(from: config, redactor: .none, options: .init(requireProvider: true))
        } catch {
            #expect(error.message.contains("providers.openrouter.api_key"))
            #expect(error.message.contains("PICOCLAW_PROVIDERS_OPENROUTER_API_KEY"))
        }
        let system = try AgentFactory.make(from: config, redactor: .none, options: .init(requireProvider: false))
        #expect(!system.readiness.isReady)
        #expect(system.readiness.description.hasPrefix("not ready: "))
        let empty = PicoConfiguration(
            agents: AgentsConfig(defaults: AgentDefaults(workspace: home.at("ws2"))),
            picoclawHome: home.path)
        let bare = try AgentFactory.make(from: empty, redactor: .none)
        #expect(bare.readiness.description.contains("no LLM provider configured"))
        #expect(bare.defaultAgentID == "main")
        #expect(TempDir.mode(home.at("ws")) == 0o700)
    }

    @Test func notReadyAgentAnswersWithoutCrashing() async throws {
        let home = TempDir(); defer { home.remove() }
        let config = PicoConfiguration(
            agents: AgentsConfig(defaults: AgentDefaults(workspace: home.at("ws"))),
            picoclawHome: home.path)
        let system = try AgentFactory.make(from: config, redactor: .none)
        let reply = await system.handle(cliMessage("hi"), route: RouteInput(channel: "telegram"))
        #expect(reply.isFailure)
        #expect(reply.text.contains("no LLM provider is configured"))
    }

    @Test func bindingsRouteToAgentsWithTheirOwnWorkspaceAndModel() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setResponder { req in .text("model=\(req.model ?? "?")") }
        let config = fakeConfig(
            home: home, apiBase: fake.apiBase,
            agents: [
                AgentEntry(id: "main", isDefault: true),
                AgentEntry(id: "Work", model: AgentModel(primary: "openai/work-model")),
            ],
            bindings: [
                BindingConfig(
                    agentID: "work",
                    match: BindingMatch(channel: "telegram", peer: BindingPeer(kind: .group, id: "-100")))
            ])
        let system = try makeSystem(config)
        #expect(system.agentIDs == ["main", "work"])
        #expect(system.agent("work")?.settings.workspace == home.at("workspace-work"))
        #expect(system.agent("main")?.settings.workspace == home.at("workspace"))

        let group = await system.handle(
            InboundText(text: "hi", channel: "telegram", chatID: "-100"),
            route: RouteInput(channel: "telegram", peer: BindingPeer(kind: .group, id: "-100")))
        #expect(group.agentID == "work")
        #expect(group.text == "model=work-model")
        #expect(group.sessionKey.rawValue == "agent:work:telegram:group:-100")
        #expect(TempDir.readFile(home.at("workspace-work/sessions/agent_work_telegram_group_-100.jsonl")) != nil)

        let dm = await system.handle(
            InboundText(text: "hi", channel: "telegram", chatID: "7"),
            route: RouteInput(channel: "telegram", peer: BindingPeer(kind: .direct, id: "7")))
        #expect(dm.agentID == "main")
        #expect(dm.text == "model=fake-model")
        #expect(fake.requests[0].systemText?.contains(home.at("workspace-work")) == true)
    }

    @Test func restrictionIsPerAgent() async throws {
        let home = TempDir(); defer { home.remove() }
        home.write("outside.txt", "OUTSIDE-CONTENT", mode: 0o644)
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setResponder { req in
            if req.lastRole == "tool" { return .text("done") }
            return .toolCalls([(id: "r", name: "read_file", argumentsJSON: #"{"path":"\#(home.at("outside.txt"))"}"#)])
        }
        let config = fakeConfig(
            home: home, apiBase: fake.apiBase,
            agents: [
                AgentEntry(id: "jailed", isDefault: true),
                AgentEntry(id: "free", restrictToWorkspace: false),
            ],
            restrict: true)
        let audit = AuditCollector()
        let system = try makeSystem(config, audit: audit)
        #expect(system.agent("jailed")?.settings.restrictToWorkspace == true)
        #expect(system.agent("free")?.settings.restrictToWorkspace == false)

        _ = await system.respond(to: cliMessage("read"), agentID: "jailed", session: SessionKey("agent:jailed:cli:x"))
        _ = await system.respond(to: cliMessage("read"), agentID: "free", session: SessionKey("agent:free:cli:x"))
        let events = audit.all
        #expect(events.count == 2)
        #expect(events[0].agentID == "jailed" && events[0].isError && !events[0].verdict.allowed)
        #expect(events[1].agentID == "free" && !events[1].isError)
        let freeResult = fake.requests.last?.messages.last?["content"]?.stringValue
        #expect(freeResult == "OUTSIDE-CONTENT")
    }

    @Test func unknownBindingAgentsAreReportedAsWarnings() throws {
        let home = TempDir(); defer { home.remove() }
        let config = fakeConfig(
            home: home, apiBase: "http://127.0.0.1:1/v1",
            bindings: [BindingConfig(agentID: "nobody", match: BindingMatch(channel: "discord"))])
        let system = try makeSystem(config)
        #expect(system.warnings.contains { $0.contains("nobody") })
    }
}
