@testable import PicoGateway
import PicoFakes
import Synchronization
import Testing

/// Records what ran, when, and how many ran at once.
private final class Trace: Sendable {
    private struct State {
        var started: [Int64] = []
        var finished: [Int64] = []
        var running = 0
        var peak = 0
    }
    private let state = Mutex(State())
    func start(_ id: Int64) {
        state.withLock {
            $0.started.append(id); $0.running += 1; $0.peak = max($0.peak, $0.running)
        }
    }
    func finish(_ id: Int64) {
        state.withLock {
            $0.finished.append(id); $0.running -= 1
        }
    }
    var started: [Int64] { state.withLock { $0.started } }
    var finished: [Int64] { state.withLock { $0.finished } }
    var peak: Int { state.withLock { $0.peak } }
}

/// A gate jobs wait on until the test opens it (no sleeps as synchronisation).
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    func wait() async {
        await withCheckedContinuation { c in
            let resume = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if resume { c.resume() }
        }
    }
    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}

@Suite("turn scheduler")
struct TurnSchedulerTests {
    // Each job hops to the network thread and back to the scheduler: 50 in a row take a while when the machine is
    // loaded, so the idle wait is bounded by ``Patience``, not by a quiet machine's time.
    @Test func jobsOfOneConversationRunInOrderOneAtATime() async {
        let trace = Trace()
        let scheduler = TurnScheduler(maxConcurrent: 4) { id in
            trace.start(id)
            await Task.yield()
            trace.finish(id)
        }
        for id in Int64(1)...50 { await scheduler.submit(conversation: "chat", id: id) }
        #expect(await scheduler.waitUntilIdle(timeout: Patience.bound(.seconds(10))))
        #expect(trace.finished == Array(1...50))
        #expect(trace.peak == 1)
    }

    @Test func conversationsRunConcurrentlyUpToTheBoundAndEachStaysOrdered() async {
        let trace = Trace()
        let gate = Gate()
        let scheduler = TurnScheduler(maxConcurrent: 3) { id in
            trace.start(id)
            await gate.wait()
            trace.finish(id)
        }
        // ids: conversation c = id % 5, so each conversation's ids increase.
        for id in Int64(0)..<40 { await scheduler.submit(conversation: "c\(id % 5)", id: id) }
        // The jobs start on their own tasks (on the network thread): wait until all three got to the gate.
        while await scheduler.runningCount < 3 || trace.started.count < 3 { await Task.yield() }
        #expect(trace.started.count == 3)
        #expect(await scheduler.runningCount == 3)
        gate.open()
        #expect(await scheduler.waitUntilIdle(timeout: Patience.bound(.seconds(10))))
        #expect(trace.peak == 3)
        for c in Int64(0)..<5 {
            #expect(trace.finished.filter { $0 % 5 == c } == Array(stride(from: c, to: 40, by: 5)))
        }
    }

    @Test func stopLeavesQueuedJobsUnstartedAndWaitsForRunningOnes() async {
        let trace = Trace()
        let gate = Gate()
        let scheduler = TurnScheduler(maxConcurrent: 2) { id in
            trace.start(id)
            await gate.wait()
            trace.finish(id)
        }
        for id in Int64(1)...10 { await scheduler.submit(conversation: "c\(id)", id: id) }
        while await scheduler.runningCount < 2 { await Task.yield() }
        await scheduler.stop()
        await scheduler.submit(conversation: "late", id: 99)
        // Running jobs hold the scheduler busy: a short wait times out.
        #expect(!(await scheduler.waitUntilIdle(timeout: .milliseconds(20))))
        gate.open()
        #expect(await scheduler.waitUntilIdle(timeout: Patience.bound(.seconds(10))))
        #expect(trace.started == [1, 2])
        #expect(Set(trace.finished) == [1, 2])
        #expect(await scheduler.queued == 8)
    }
}
