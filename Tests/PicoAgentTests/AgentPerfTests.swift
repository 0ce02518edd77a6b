import Glibc
import PicoAgent
import PicoConfig
import PicoFakes
import Testing

/// 200 turns over 4 sessions (default tools, FakeOpenAI in-process): every turn is answered with its own reply, in
/// order, each session's history holds its turns, and the JSON Lines store keeps every appended message. With
/// `PICO_AGENT_PERF=1` it also prints the CPU time per turn and per store operation (a manual measurement; the
/// benchmark proper is `scripts/bench`).
@Suite("Agent per-turn cost")
struct AgentPerfTests {
    static let printFigures = getenv("PICO_AGENT_PERF") != nil

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    static func report(_ line: @autoclosure () -> String) {
        if printFigures { print("PERF " + line()) }
    }

    @Test func twoHundredTurns() async throws {
        let home = TempDir(); defer { home.remove() }
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        let system = try makeSystem(fakeConfig(home: home, apiBase: fake.apiBase))
        let sessions = (0..<4).map { SessionKey("agent:main:cli:direct:perf\($0)") }
        for i in 0..<20 { fake.enqueue(.text("warm \(i) " + String(repeating: "x", count: 200))) }
        for i in 0..<20 { _ = await system.defaultAgent.respond(to: cliMessage("warm \(i)"), session: sessions[i % 4]) }
        for i in 0..<200 { fake.enqueue(.text("answer \(i) " + String(repeating: "y", count: 200))) }
        let clock = ContinuousClock()
        let cpu0 = Self.cpuSeconds()
        let t0 = clock.now
        var replies: [String] = []
        for i in 0..<200 {
            let reply = await system.defaultAgent.respond(
                to: cliMessage("question \(i) " + String(repeating: "q", count: 100)),
                session: sessions[i % 4])
            replies.append(reply.text)
        }
        let wall = t0.duration(to: clock.now)
        let cpu = Self.cpuSeconds() - cpu0
        #expect(
            replies == (0..<200).map { "answer \($0) " + String(repeating: "y", count: 200) },
            "a turn lost or reordered")
        #expect(fake.requests.count == 220)
        let lastTurn = try #require(fake.requests.last)
        #expect(
            lastTurn.messages.contains { $0["content"]?.stringValue?.contains("question 195 ") == true },
            "the last turn of session 3 did not carry that session's earlier turns")

        let store = SessionStore(workspace: home.at("store"), redactor: .none)
        mkdir(home.at("store"), 0o700)
        let k = SessionKey("agent:main:cli:direct:x")
        var c0 = Self.cpuSeconds(), w0 = clock.now
        for i in 0..<200 { try store.append(k, messages: [.user("u\(i)"), .assistant("a")]) }
        Self.report(
            "sync append: cpu \(Int((Self.cpuSeconds() - c0) * 1e6 / 200)) us, wall \(w0.duration(to: clock.now) / 200)"
        )
        c0 = Self.cpuSeconds(); w0 = clock.now
        for i in 0..<200 { try await store.appendTurn(k, messages: [.user("v\(i)"), .assistant("a")]) }
        Self.report(
            "async append: cpu \(Int((Self.cpuSeconds() - c0) * 1e6 / 200)) us, wall \(w0.duration(to: clock.now) / 200)"
        )
        c0 = Self.cpuSeconds(); w0 = clock.now
        var history: [ChatMessage] = []
        for _ in 0..<200 { history = try await store.loadHistory(k) }
        Self.report(
            "async history: cpu \(Int((Self.cpuSeconds() - c0) * 1e6 / 200)) us, wall \(w0.duration(to: clock.now) / 200)"
        )
        Self.report("200 turns: cpu \(Int(cpu * 1000)) ms (\(Int(cpu * 1e6 / 200)) us/turn), wall \(wall)")
        #expect(!history.isEmpty)
        #expect(history.last == .assistant("a"))
        #expect(history.contains(.user("v199")), "the last appended turn is missing from the loaded history")
    }
}
