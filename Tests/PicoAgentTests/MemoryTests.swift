import Glibc
import PicoAgent
import PicoConfig
import PicoFakes
import Testing

@Suite("Memory")
struct MemoryTests {
    func config(
        _ home: TempDir, apiBase: String, allowFrom: [String], scope: MemoryScope? = nil,
        maxBytes: Int = 8192
    ) -> PicoConfiguration {
        PicoConfiguration(
            agents: AgentsConfig(
                defaults: AgentDefaults(
                    workspace: home.at("workspace"), model: "openai/fake-model",
                    memoryScope: scope, memoryMaxBytes: maxBytes)),
            providers: ["openai": ProviderConfig(apiKey: Secret("sk-test-key-123456"), apiBase: apiBase)],
            channels: ChannelsConfig(
                telegram: TelegramConfig(
                    enabled: true, token: Secret("123:telegram-token"),
                    allowFrom: allowFrom)),
            picoclawHome: home.path)
    }

    func dm(_ text: String, from sender: String) -> InboundText {
        InboundText(text: text, channel: "telegram", chatID: sender, senderID: sender, senderName: "user\(sender)")
    }

    func session(_ sender: String) -> SessionKey { SessionKey("agent:main:telegram:direct:\(sender)") }

    func toolResult(_ req: FakeChatRequest?, _ id: String) -> String {
        req?.messages.first { $0["tool_call_id"]?.stringValue == id }?["content"]?.stringValue ?? ""
    }

    @Test func twoSendersOfOneAgentNeverSeeEachOthersMemory() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let system = try makeSystem(config(home, apiBase: fake.apiBase, allowFrom: ["111", "222"]))
        #expect(system.defaultAgent.memory?.scope == .sender)
        let agent = system.defaultAgent

        fake.enqueue(
            .toolCalls([(id: "m1", name: "memory", argumentsJSON: #"{"action":"add","text":"Locker code is 4711"}"#)]),
            .text("saved"))
        #expect(
            await agent.respond(to: dm("remember my locker code 4711", from: "111"), session: session("111")).text
                == "saved")

        // Sender 222: no trace of 111's note in the prompt, and the tools cannot reach it either.
        let memFile = home.at("memory/main/senders/telegram/111/MEMORY.md")
        fake.enqueue(
            .toolCalls([
                (
                    id: "r1", name: "read_file",
                    argumentsJSON: #"{"path":"../memory/main/senders/telegram/111/MEMORY.md"}"#
                ),
                (id: "r2", name: "read_file", argumentsJSON: #"{"path":"\#(memFile)"}"#),
                (id: "r3", name: "memory", argumentsJSON: #"{"action":"remove","old_text":"4711"}"#),
                (id: "r4", name: "memory", argumentsJSON: #"{"action":"add","text":"Favourite colour is red"}"#),
            ]),
            .text("ok 222"))
        #expect(
            await agent.respond(to: dm("what is the locker code?", from: "222"), session: session("222")).text
                == "ok 222")
        let firstOf222 = fake.requests[fake.requests.count - 2]
        let lastOf222 = fake.requests[fake.requests.count - 1]
        #expect(firstOf222.systemText?.contains("4711") == false)
        for id in ["r1", "r2"] {
            #expect(!toolResult(lastOf222, id).contains("4711"), "\(id): \(toolResult(lastOf222, id))")
        }
        #expect(toolResult(lastOf222, "r3").contains("no note contains"))

        // 111 again: sees its own note and not 222's.
        fake.enqueue(.text("it is 4711"))
        _ = await agent.respond(to: dm("code?", from: "111"), session: session("111"))
        let system111 = try #require(fake.requests.last?.systemText)
        #expect(system111.contains("Locker code is 4711"))
        #expect(!system111.contains("red"))
        // 222 sees only its own.
        fake.enqueue(.text("red"))
        _ = await agent.respond(to: dm("colour?", from: "222"), session: session("222"))
        let system222 = try #require(fake.requests.last?.systemText)
        #expect(system222.contains("Favourite colour is red") && !system222.contains("4711"))

        // On disk: outside the workspace, 0600, nothing in the workspace's memory file.
        #expect(TempDir.readFile(memFile)?.contains("4711") == true)
        #expect(TempDir.mode(memFile) == 0o600)
        #expect(home.read("workspace/memory/MEMORY.md") == nil)
    }

    /// The other sender's note file is outside the workspace: exec through the real sandboxed executor (command
    /// policy, then Landlock) cannot read it either, however the path is written.
    @Test func execCannotReadAnotherSendersNotes() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let system = try makeSystem(config(home, apiBase: fake.apiBase, allowFrom: ["111", "222"]))
        fake.enqueue(
            .toolCalls([(id: "m1", name: "memory", argumentsJSON: #"{"action":"add","text":"PIN is 8642"}"#)]),
            .text("saved"))
        _ = await system.defaultAgent.respond(to: dm("remember my PIN 8642", from: "111"), session: session("111"))
        let file = home.at("memory/main/senders/telegram/111/MEMORY.md")
        #expect(TempDir.readFile(file)?.contains("8642") == true)
        let commands = [
            "cat ../memory/main/senders/telegram/111/MEMORY.md", "cat \(file)",
            "sh -c 'cd .. && cat memory/main/senders/telegram/*/MEMORY.md'",
            "find / -name MEMORY.md -exec cat {} + 2>/dev/null",
        ]
        fake.enqueue(
            .toolCalls(
                commands.enumerated().map {
                    (
                        id: "e\($0.offset)", name: "exec",
                        argumentsJSON: JSONValue.object(["command": .string($0.element)]).compact
                    )
                }),
            .text("nothing"))
        _ = await system.defaultAgent.respond(to: dm("read the other notes", from: "222"), session: session("222"))
        let results =
            fake.requests.last?.messages.filter { $0["role"]?.stringValue == "tool" }
            .compactMap { $0["content"]?.stringValue } ?? []
        #expect(results.count == commands.count)
        for r in results { #expect(!r.contains("8642"), "\(r)") }
        #expect(TempDir.readFile(file)?.contains("8642") == true)
    }

    @Test func agentScopeKeepsOneWorkspaceFileWithReplaceRemoveAndACap() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let system = try makeSystem(config(home, apiBase: fake.apiBase, allowFrom: ["111"], maxBytes: 300))
        #expect(system.defaultAgent.memory?.scope == .agent)
        fake.enqueue(
            .toolCalls([
                (id: "a", name: "memory", argumentsJSON: #"{"action":"add","text":"Lives in Lisbon"}"#),
                (id: "b", name: "memory", argumentsJSON: #"{"action":"add","text":"Drinks tea"}"#),
                (
                    id: "c", name: "memory",
                    argumentsJSON: #"{"action":"replace","old_text":"Lisbon","text":"Lives in Porto"}"#
                ),
                (id: "d", name: "memory", argumentsJSON: #"{"action":"remove","old_text":"tea"}"#),
                (
                    id: "e", name: "memory",
                    argumentsJSON: #"{"action":"add","text":"\#(String(repeating: "x", count: 400))"}"#
                ),
                (
                    id: "f", name: "memory",
                    argumentsJSON: #"{"action":"remove","old_text":"Lives"}"#.replacing("Lives", with: "Nope")
                ),
            ]),
            .text("done"))
        _ = await system.defaultAgent.respond(to: dm("remember", from: "111"), session: session("111"))
        let results = fake.requests.last
        #expect(toolResult(results, "e").contains("memory is full"))
        #expect(toolResult(results, "f").contains("no note contains"))
        #expect(home.read("workspace/memory/MEMORY.md") == "- Lives in Porto\n")
        fake.enqueue(.text("Porto"))
        _ = await system.defaultAgent.respond(to: dm("where?", from: "111"), session: session("111"))
        #expect(fake.requests.last?.systemText?.contains("# Memory\n\n- Lives in Porto") == true)
    }

    /// The notes of an unchanged file are kept between turns; any edit outside the memory tool (in place, same
    /// size, even with the old mtime put back) and a deletion show in the next turn's prompt.
    @Test func editsOutsideTheMemoryToolReachTheNextTurn() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let system = try makeSystem(config(home, apiBase: fake.apiBase, allowFrom: ["111"], scope: .agent))
        let file = home.write("workspace/memory/MEMORY.md", "- Likes apples\n")
        let old = [timespec(tv_sec: time(nil) - 60, tv_nsec: 0), timespec(tv_sec: time(nil) - 60, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, file, old, 0) == 0)
        func systemText(after text: String) async -> String {
            fake.enqueue(.text("ok"))
            _ = await system.defaultAgent.respond(to: dm(text, from: "111"), session: session("111"))
            return fake.requests.last?.systemText ?? ""
        }
        #expect(await systemText(after: "one").contains("- Likes apples"))
        #expect(await systemText(after: "two").contains("- Likes apples"))
        TempDir.writeFile(file, "- Likes grapes\n")  // same size, in place
        #expect(utimensat(AT_FDCWD, file, old, 0) == 0)
        #expect(await systemText(after: "three").contains("- Likes grapes"))
        #expect(unlink(file) == 0)
        #expect(!(await systemText(after: "four").contains("Likes")))
    }

    @Test func theDefaultScopeFollowsTheNumberOfAllowedUsers() async throws {
        let home = TempDir(); defer { home.remove() }
        for (allow, scope) in [(["111"], MemoryScope.agent), (["111", "@bob"], .sender), (["*"], .sender)] {
            let system = try makeSystem(config(home, apiBase: "http://127.0.0.1:9/v1", allowFrom: allow))
            #expect(system.defaultAgent.memory?.scope == scope, "\(allow)")
        }
        let forced = try makeSystem(
            config(home, apiBase: "http://127.0.0.1:9/v1", allowFrom: ["1", "2"], scope: .agent))
        #expect(forced.defaultAgent.memory?.scope == .agent)
    }
}
