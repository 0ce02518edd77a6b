import PicoAgent
import PicoConfig
import PicoFakes
import Testing

@Suite("Agent turns cut short")
struct InterruptedTurnTests {
    @Test func cancelledTurnPersistsWhatWasSaid() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        // A completed tool round, then a model call that is still running when the turn is cancelled.
        fake.enqueue(
            .toolCalls([(id: "c1", name: "list_dir", argumentsJSON: #"{"path":"."}"#)]),
            .delay(60_000, then: .text("too late")))
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase))
        let agent = system.defaultAgent
        let turn = Task { await agent.respond(to: cliMessage("remember this"), session: testSession) }
        _ = try await fake.waitForRequests(count: 2)
        turn.cancel()
        let reply = await turn.value
        #expect(reply.isFailure)
        let history = try agent.fileSessions.loadAll(testSession)
        #expect(history.first?.role == .user)
        #expect(history.first?.content == "remember this")
        // The completed tool-call round is kept whole: every call has its result.
        #expect(history.map(\.role) == [.user, .assistant, .tool])
    }

    @Test func providerFailureStillPersistsTheUserMessage() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        fake.setDefaultResponse(.status(400))
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase))
        let reply = await system.defaultAgent.respond(to: cliMessage("are you there"), session: testSession)
        #expect(reply.isFailure)
        let history = try system.defaultAgent.fileSessions.loadAll(testSession)
        #expect(history.map(\.content) == ["are you there"])
    }
}
