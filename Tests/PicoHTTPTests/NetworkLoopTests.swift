import Glibc
import PicoFakes
import PicoHTTP
import Synchronization
import Testing

/// The network thread as a task executor (issue 18): the message path's async code runs on the thread that drives
/// curl, so a finished transfer resumes its task without waking another thread.
@Suite("NetworkLoop: tasks on the curl thread", .serialized)
struct NetworkLoopTests {
    let client = HTTPClient.shared

    private final class Flag: Sendable {
        let value: Atomic<Bool>
        init(_ value: Bool) { self.value = Atomic(value) }
    }

    private actor Counter {
        var value = 0
        func bump() -> Bool {
            value += 1
            return NetworkLoop.isCurrent
        }
    }

    @Test func tasksThatPreferTheLoopRunOnTheNetworkThreadAndStayThere() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        #expect(await Task.detached { NetworkLoop.isCurrent }.value == false)
        #expect(await Task.detached { NetworkLoop.inherited == nil }.value)
        let seen = await Task(executorPreference: NetworkLoop.executor) { () -> [Bool] in
            var seen = [NetworkLoop.isCurrent]
            let r = try? await client.send(HTTPRequest(url: server.baseURL + "/bytes/3"))
            seen.append(r?.status == 200 && NetworkLoop.isCurrent)  // resumed on the loop
            seen.append(await Counter().bump())  // a default actor runs on the task's executor
            // A task started on the loop with `inherited` stays there; a plain one does not.
            seen.append(await Task(executorPreference: NetworkLoop.inherited) { NetworkLoop.isCurrent }.value)
            seen.append(await Task { NetworkLoop.isCurrent }.value == false)
            seen.append(await NetworkLoop.offLoop { NetworkLoop.isCurrent } == false)
            seen.append(NetworkLoop.isCurrent)  // back after offLoop
            try? await Task.sleep(for: .milliseconds(5))
            seen.append(NetworkLoop.isCurrent)  // and after a sleep
            return seen
        }.value
        #expect(seen == [true, true, true, true, true, true, true, true])
    }

    /// Jobs on the loop run in batches between `curl_multi_perform` calls: a task that keeps queueing jobs
    /// (here: yielding in a loop) cannot keep a transfer from completing.
    @Test func aTransferCompletesWhileTheLoopKeepsRunningOtherJobs() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let done = Flag(false)
        let spinner = Task(executorPreference: NetworkLoop.executor) { () -> (rounds: Int, onLoop: Bool) in
            var rounds = 0
            var onLoop = true
            let deadline = ContinuousClock.now + .seconds(20)
            while !done.value.load(ordering: .acquiring), ContinuousClock.now < deadline {
                rounds += 1
                onLoop = onLoop && NetworkLoop.isCurrent
                await Task.yield()
            }
            return (rounds, onLoop)
        }
        let started = ContinuousClock.now
        let status = try await Task(executorPreference: NetworkLoop.executor) {
            defer { done.value.store(true, ordering: .releasing) }
            var statuses: [Int] = []
            for _ in 0..<5 {
                statuses.append(try await client.send(HTTPRequest(url: server.baseURL + "/slow/20")).status)
            }
            return statuses
        }.value
        let spun = await spinner.value
        #expect(status == [200, 200, 200, 200, 200])
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(spun.onLoop)
        #expect(spun.rounds > 5)  // the spinner was running the whole time
    }

    /// CPU-heavy work goes `offLoop`: a transfer on the loop completes while it computes.
    @Test func workOffTheLoopDoesNotStallATransfer() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let computing = Flag(true)
        let transferred = Flag(false)
        // The work lasts until the transfer is done (an event, not a time a loaded machine may overrun), at most
        // 30 s: a transfer stalled by the work would finish only after it.
        let heavy = Task(executorPreference: NetworkLoop.executor) {
            await NetworkLoop.offLoop {
                let end = ContinuousClock.now + .seconds(30)
                var x = 0
                while !transferred.value.load(ordering: .acquiring), ContinuousClock.now < end { x &+= 1 }
                computing.value.store(false, ordering: .releasing)
                return x
            }
        }
        let duringWork = try await Task(executorPreference: NetworkLoop.executor) { () -> Bool in
            _ = try await client.send(HTTPRequest(url: server.baseURL + "/bytes/10"))
            let during = computing.value.load(ordering: .acquiring)
            transferred.value.store(true, ordering: .releasing)
            return during
        }.value
        _ = await heavy.value
        #expect(duringWork, "the transfer finished only after the CPU work")
    }

    /// Jobs on the loop that await transfers (many at once, nested tasks, task groups) suspend instead of
    /// blocking the thread that must complete those transfers.
    @Test func jobsOnTheLoopAwaitingTransfersDoNotDeadlock() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let jobsBefore = NetworkLoop.statistics.jobs
        let statuses = try await Task(executorPreference: NetworkLoop.executor) { () -> [Int] in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<24 {
                    group.addTask {
                        // Each child awaits a task of its own that awaits the transfer.
                        let inner = Task(executorPreference: NetworkLoop.inherited) {
                            try await client.send(HTTPRequest(url: server.baseURL + "/slow/\(i % 4 * 10)")).status
                        }
                        return try await inner.value + (NetworkLoop.isCurrent ? 0 : 1000)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }.value
        #expect(statuses == [Int](repeating: 200, count: 24))
        #expect(NetworkLoop.statistics.jobs >= jobsBefore + 24)
    }

    /// Cancelling tasks on the loop while their transfers hang ends each of them at once with `CancellationError`,
    /// and the loop goes on serving new work.
    @Test func cancelledTasksOnTheLoopDrainAndTheLoopGoesOn() async throws {
        let server = try await FakeHTTPServer.start()
        defer { Task { await server.stop() } }
        let tasks = (0..<8).map { _ in
            Task(executorPreference: NetworkLoop.executor) { () -> Bool in
                do {
                    _ = try await client.send(HTTPRequest(url: server.baseURL + "/hang", timeout: .seconds(30)))
                    return false
                } catch {
                    return error is CancellationError && NetworkLoop.isCurrent
                }
            }
        }
        _ = try await server.waitForRequests(count: 8)
        let cancelled = ContinuousClock.now
        for task in tasks { task.cancel() }
        var outcomes: [Bool] = []
        for task in tasks { outcomes.append(await task.value) }
        #expect(outcomes == [Bool](repeating: true, count: 8))
        #expect(ContinuousClock.now - cancelled < .seconds(5))
        let after = try await Task(executorPreference: NetworkLoop.executor) {
            try await client.send(HTTPRequest(url: server.baseURL + "/bytes/2")).status
        }.value
        #expect(after == 200)
    }
}
