import PicoAgent
import PicoConfig
import PicoFakes
import Testing

@Suite("exec through the real sandboxed executor")
struct SandboxedExecTests {
    @Test func commandRunsInTheWorkspaceAndReportsExitStatus() async throws {
        let home = TempDir(); defer { home.remove() }
        home.write("workspace/hello.txt", "hello from the workspace", mode: 0o644)
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.enqueue(
            .toolCalls([
                (id: "c1", name: "exec", argumentsJSON: #"{"command":"cat hello.txt"}"#),
                (id: "c2", name: "exec", argumentsJSON: #"{"command":"exit 3"}"#),
            ]),
            .text("ok"))
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit)
        _ = await system.defaultAgent.respond(to: cliMessage("cat"), session: testSession)
        let req = fake.requests[1]
        let results = req.messages.filter { $0["role"]?.stringValue == "tool" }.compactMap {
            $0["content"]?.stringValue
        }
        #expect(results.first?.contains("hello from the workspace") == true)
        #expect(results.last?.contains("Exit code: 3") == true)
        #expect(audit.all.map(\.exitStatus) == [0, 3])
        #expect(audit.all.map(\.isError) == [false, true])
    }
}
