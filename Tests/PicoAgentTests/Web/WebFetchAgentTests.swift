import PicoAgent
import PicoFakes
import PicoHTTP
import Testing

@Suite("web_fetch through the agent")
struct WebFetchAgentTests {
    /// The model is the attacker: it asks for internal URLs through the configured agent. The canary stays untouched
    /// and the refusals reach the model as tool errors; the production wiring (no test switch) refuses loopback.
    @Test func aModelCannotReachInternalAddressesThroughTheAgent() async throws {
        let home = TempDir(); defer { home.remove() }
        let canary = try await FakeHTTPServer.start()
        let fake = try await FakeOpenAI.start()
        defer {
            Task {
                await fake.stop(); await canary.stop()
            }
        }
        let p = canary.port
        let urls = [
            "http://127.0.0.1:\(p)/", "http://2130706433:\(p)/", "http://[::ffff:127.0.0.1]:\(p)/",
            "http://localhost:\(p)/", "http://169.254.169.254/latest/meta-data/",
        ]
        fake.enqueue(
            .toolCalls(
                urls.enumerated().map {
                    (id: "c\($0.offset)", name: "web_fetch", argumentsJSON: #"{"url":"\#($0.element)"}"#)
                }),
            .text("could not"))
        let audit = AuditCollector()
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase), audit: audit)
        let reply = await system.defaultAgent.respond(to: cliMessage("fetch the internals"), session: testSession)
        #expect(reply.text == "could not")
        #expect(audit.all.count == urls.count)
        #expect(audit.all.allSatisfy { $0.tool == "web_fetch" && !$0.verdict.allowed })
        let second = try #require(fake.requests.last)
        #expect(second.allText.components(separatedBy: "refused").count > urls.count)
        #expect(canary.requests.isEmpty)
    }
}
