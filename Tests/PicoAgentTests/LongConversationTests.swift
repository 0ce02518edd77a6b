import PicoAgent
import PicoConfig
import PicoFakes
import Testing

@Suite("Long conversations and chat commands")
struct LongConversationTests {
    static let window = 8000

    func config(_ home: TempDir, apiBase: String) -> PicoConfiguration {
        PicoConfiguration(
            agents: AgentsConfig(
                defaults: AgentDefaults(
                    workspace: home.at("workspace"), model: "openai/fake-model",
                    maxTokens: 512, maxHistoryMessages: 1000,
                    contextWindow: Self.window, summarizeAt: 0.5)),
            providers: ["openai": ProviderConfig(apiKey: Secret("sk-test-key-123456"), apiBase: apiBase)],
            picoclawHome: home.path)
    }

    /// The scripted model: summarisation requests keep every `key=value` fact of the earlier summary and the new
    /// messages; chat requests answer questions about facts from whatever they were sent.
    static func scriptedModel(_ req: FakeChatRequest) -> FakeLLMResponse {
        let body = req.http.bodyString
        func facts(_ text: String) -> [String] {
            var seen: [String] = []
            for m in text.matches(of: /(locker|city)=[A-Za-z0-9]+/) where !seen.contains(String(m.output.0)) {
                seen.append(String(m.output.0))
            }
            return seen
        }
        if req.systemText?.contains("running summary") == true {
            return .text("Facts the user gave: " + facts(req.lastUserText ?? "").joined(separator: ", "))
        }
        if req.lastUserText?.contains("what did I tell you") == true {
            return .text("You told me: " + facts(body).joined(separator: " "))
        }
        return .text("Noted. " + String(repeating: "Some filler in the answer. ", count: 8))
    }

    @Test func aTwoHundredTurnConversationStaysUnderTheWindowAndRemembersEarlyFacts() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setResponder(Self.scriptedModel)
        let system = try makeSystem(config(home, apiBase: fake.apiBase))
        let agent = system.defaultAgent
        for turn in 1...199 {
            var text = "Message \(turn): " + String(repeating: "chatting about the weather and such. ", count: 5)
            if turn == 3 { text = "Please remember: locker=4711." }
            if turn == 60 { text = "Also remember: city=Porto." }
            let reply = await agent.respond(to: cliMessage(text), session: testSession)
            #expect(!reply.isFailure, "turn \(turn): \(reply.text)")
        }
        let reply = await agent.respond(
            to: cliMessage("what did I tell you about my locker and city?"), session: testSession)
        #expect(reply.text.contains("locker=4711") && reply.text.contains("city=Porto"), "\(reply.text)")

        let requests = fake.requests
        let summaries = requests.filter { $0.systemText?.contains("running summary") == true }
        #expect(summaries.count >= 3, "summaries: \(summaries.count)")
        for r in requests {
            #expect(r.http.body.count / 4 < Self.window, "a request of \(r.http.body.count) bytes")
        }
        // The early facts reached the last request through the summary, not through the history.
        let last = try #require(requests.last)
        let history = last.messages.dropFirst().compactMap { $0["content"]?.stringValue }.joined(separator: "\n")
        #expect(!history.contains("locker=4711"))
        #expect(last.systemText?.contains("Summary of the earlier conversation") == true)
        #expect(last.systemText?.contains("locker=4711") == true)
        // The session file holds only the recent turns.
        #expect(try agent.fileSessions.loadAll(testSession).count < 100)
        #expect((try await agent.sessions.summary(testSession)).contains("city=Porto"))
    }

    @Test func theCutNeverSeparatesAToolCallFromItsResult() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setResponder { req in
            if req.systemText?.contains("running summary") == true { return .text("summary") }
            // Every chat turn makes one big tool call first, then answers.
            if req.lastRole == "user" {
                return .toolCalls(
                    [(id: "t\(req.http.bodyString.count)", name: "list_dir", argumentsJSON: "{}")],
                    text: String(repeating: "thinking ", count: 150))
            }
            return .text("done")
        }
        let system = try makeSystem(config(home, apiBase: fake.apiBase))
        for turn in 1...40 {
            _ = await system.defaultAgent.respond(
                to: cliMessage("turn \(turn) " + String(repeating: "x ", count: 200)),
                session: testSession)
        }
        #expect(fake.requests.contains { $0.systemText?.contains("running summary") == true })
        // Every chat request is valid: each tool result follows the assistant message that called it.
        for r in fake.requests where r.systemText?.contains("running summary") != true {
            var open: Set<String> = []
            for m in r.messages.dropFirst() {
                if m["role"]?.stringValue == "tool" {
                    #expect(open.remove(m["tool_call_id"]?.stringValue ?? "") != nil, "orphaned tool result")
                } else {
                    #expect(open.isEmpty, "a tool call without its result")
                    for c in m["tool_calls"]?.arrayValue ?? [] { open.insert(c["id"]?.stringValue ?? "") }
                }
            }
            #expect(r.messages.dropFirst().first?["role"]?.stringValue == "user")
        }
    }

    @Test func newHelpAndStopCommands() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let system = try makeSystem(config(home, apiBase: fake.apiBase))
        let agent = system.defaultAgent
        fake.enqueue(.text("first answer"))
        _ = await agent.respond(to: cliMessage("remember the number 31337"), session: testSession)
        try await agent.sessions.compact(testSession, summary: "the user said 31337", keepNewest: 10)

        let help = await agent.respond(to: cliMessage(" /help "), session: testSession)
        #expect(help.text.contains("/new") && help.text.contains("/stop"))
        let fresh = await agent.respond(to: cliMessage("/new@picoclaw_bot"), session: testSession)
        #expect(fresh.text.contains("new conversation"))
        #expect(try agent.fileSessions.loadAll(testSession).isEmpty)
        #expect((try await agent.sessions.summary(testSession)).isEmpty)
        fake.enqueue(.text("hello again"))
        _ = await agent.respond(to: cliMessage("hi"), session: testSession)
        #expect(fake.requests.last?.allText.contains("31337") == false)
        #expect(fake.requests.count == 2, "commands never reach the model")

        // /stop cancels the running turn.
        #expect(await agent.respond(to: cliMessage("/stop"), session: testSession).text.contains("Nothing is running"))
        // The model would answer after a minute: the turn ends long before, so /stop did not wait for it (the bound
        // leaves a loaded machine room; it only has to stay below the model's minute).
        fake.enqueue(.delay(60_000, then: .text("too late")))
        let clock = ContinuousClock()
        let started = clock.now
        let running = Task { await agent.respond(to: cliMessage("slow question"), session: testSession) }
        _ = try await fake.waitForRequests(count: 3)
        #expect(agent.stop(session: testSession))
        let cancelled = await running.value
        #expect(cancelled.text.contains("cancelled"), "\(cancelled.text)")
        #expect(started.duration(to: clock.now) < .seconds(30))
        #expect(!agent.stop(session: testSession))
    }

    @Test func commandsAreRecognisedStrictly() {
        #expect(ChatCommand.parse("/new") == .new)
        #expect(ChatCommand.parse("/STOP") == .stop)
        #expect(ChatCommand.parse("/help@my_bot") == .help)
        #expect(ChatCommand.parse("/new please") == nil)
        #expect(ChatCommand.parse("new") == nil)
        #expect(ChatCommand.parse("/newer") == nil)
    }
}
