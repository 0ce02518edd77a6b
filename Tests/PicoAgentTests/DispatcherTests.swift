import PicoAgent
import Synchronization
import Testing

/// A one-shot gate: `wait()` suspends until `open()`.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    func open() {
        let w = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for c in w { c.resume() }
    }
    func wait() async {
        await withCheckedContinuation { c in
            let now = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }
}

/// A shared mutable value for closures.
final class Box<T: Sendable>: Sendable {
    private let value: Mutex<T>
    init(_ v: T) { value = Mutex(v) }
    func get() -> T { value.withLock { $0 } }
    @discardableResult
    func update<R: Sendable>(_ body: @Sendable (inout T) -> R) -> R { value.withLock { body(&$0) } }
}

/// Polls `condition` (yielding, then sleeping briefly) for at most `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: @Sendable () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return await condition()
}

@Suite("Agent dispatcher")
struct DispatcherTests {
    let a = SessionKey("agent:main:cli:direct:a")
    let b = SessionKey("agent:main:cli:direct:b")

    @Test func sameSessionRunsInSubmissionOrder() async throws {
        let d = AgentDispatcher(maxConcurrentTurns: 4)
        let gate = Gate()
        let order = Box<[Int]>([])
        var tasks: [Task<Void, Never>] = []
        for i in 0..<6 {
            let session = a
            tasks.append(Task {
                _ = try? await d.submit(session: session) {
                    if i == 0 { await gate.wait() }
                    await Task.yield()
                    order.update { $0.append(i) }
                }
            })
            #expect(await eventually { await d.inFlight == i + 1 })
        }
        gate.open()
        for t in tasks { await t.value }
        #expect(order.get() == [0, 1, 2, 3, 4, 5])
    }

    @Test func differentSessionsRunConcurrently() async throws {
        let d = AgentDispatcher(maxConcurrentTurns: 4)
        let started = Box(0)
        let sa = a, sb = b
        async let x: Bool = (try? d.submit(session: sa) {
            started.update { $0 += 1 }
            return await eventually { started.get() == 2 }
        }) ?? false
        async let y: Bool = (try? d.submit(session: sb) {
            started.update { $0 += 1 }
            return await eventually { started.get() == 2 }
        }) ?? false
        let (rx, ry) = await (x, y)
        #expect(rx && ry)
    }

    @Test func concurrencyIsBounded() async throws {
        let d = AgentDispatcher(maxConcurrentTurns: 2)
        let running = Box(0)
        let peak = Box(0)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    _ = try? await d.submit(session: SessionKey("s\(i)")) {
                        let now = running.update { v -> Int in v += 1; return v }
                        peak.update { $0 = max($0, now) }
                        for _ in 0..<20 { await Task.yield() }
                        running.update { $0 -= 1 }
                    }
                }
            }
        }
        let maxSeen = peak.get()
        #expect(maxSeen <= 2)
        #expect(await d.inFlight == 0)
    }

    @Test func drainWaitsForInFlightAndRejectsNewWork() async throws {
        let d = AgentDispatcher()
        let gate = Gate()
        let finished = Box(false)
        let running = Task { _ = try? await d.submit(session: a) { await gate.wait(); finished.update { $0 = true } } }
        #expect(await eventually { await d.inFlight == 1 })
        let draining = Task { await d.drain(timeout: .seconds(30)) }
        #expect(await eventually { await !d.isAccepting })
        await #expect(throws: DispatcherClosedError.self) { _ = try await d.submit(session: b) { 1 } }
        gate.open()
        #expect(await draining.value == true)
        let didFinish = finished.get()
        #expect(didFinish)
        await running.value
    }

    @Test func drainGivesUpAfterTheTimeout() async throws {
        let d = AgentDispatcher()
        let gate = Gate()
        let running = Task { _ = try? await d.submit(session: a) { await gate.wait() } }
        #expect(await eventually { await d.inFlight == 1 })
        #expect(await d.drain(timeout: .milliseconds(20)) == false)
        gate.open()
        await running.value
        #expect(await d.drain(timeout: .milliseconds(20)) == true)
    }
}
