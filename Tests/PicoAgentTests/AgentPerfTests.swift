import Glibc
import PicoAgent
import PicoConfig
import PicoFakes
import Testing

/// A manual measurement, not a check: `PICO_AGENT_PERF=1 swift test --filter AgentPerfTests` prints the CPU time
/// of 200 turns (4 sessions, default tools, FakeOpenAI in-process, so its CPU is included).
@Suite("Agent per-turn cost", .enabled(if: getenv("PICO_AGENT_PERF") != nil))
struct AgentPerfTests {
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
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
        for i in 0..<200 {
            _ = await system.defaultAgent.respond(to: cliMessage("question \(i) " + String(repeating: "q", count: 100)),
                                                  session: sessions[i % 4])
        }
        let wall = t0.duration(to: clock.now)
        let cpu = Self.cpuSeconds() - cpu0
        let store = SessionStore(workspace: home.sub("store"), redactor: .none)
        mkdir(home.sub("store"), 0o700)
        let k = SessionKey("agent:main:cli:direct:x")
        var c0 = Self.cpuSeconds(), w0 = clock.now
        for i in 0..<200 { try store.append(k, messages: [.user("u\(i)"), .assistant("a")]) }
        print("PERF sync append: cpu \(Int((Self.cpuSeconds() - c0) * 1e6 / 200)) us, wall \(w0.duration(to: clock.now) / 200)")
        c0 = Self.cpuSeconds(); w0 = clock.now
        for i in 0..<200 { try await store.appendTurn(k, messages: [.user("u\(i)"), .assistant("a")]) }
        print("PERF async append: cpu \(Int((Self.cpuSeconds() - c0) * 1e6 / 200)) us, wall \(w0.duration(to: clock.now) / 200)")
        c0 = Self.cpuSeconds(); w0 = clock.now
        for _ in 0..<200 { _ = try await store.loadHistory(k) }
        print("PERF async history: cpu \(Int((Self.cpuSeconds() - c0) * 1e6 / 200)) us, wall \(w0.duration(to: clock.now) / 200)")
        print("PERF 200 turns: cpu \(Int(cpu * 1000)) ms (\(Int(cpu * 1e6 / 200)) us/turn), wall \(wall)")
    }
}
