import PicoFakes
import Synchronization
import Testing

@testable import PicoChannels

/// Delayed starts of typing indicators and reply previews (issue 18): one waiting task for many delays, nothing
/// left behind by what was cancelled in time, and every start on time.
@Suite("delayed tasks")
struct DelayedTaskTests {
    @Test func cancelledBeforeTheirDelayTasksNeverRunAndLeaveNothingWaiting() async throws {
        let starts = DelayedStarts()
        let ran = Mutex(0)
        let tasks = (0..<100).map { _ in
            DelayedTask(after: .seconds(60), starts: starts) { ran.withLock { $0 += 1 } }
        }
        #expect(starts.pendingCount == 100)
        for t in tasks { t.cancel() }
        for t in tasks { await t.wait() }
        #expect(starts.pendingCount == 0)
        #expect(ran.withLock { $0 } == 0)
        #expect(starts.waitersStarted == 1, "one waiting task for a burst of equal delays")
    }

    @Test func eachDelayRunsOnTimeEvenWhenAnEarlierOneArrivesLater() async throws {
        let starts = DelayedStarts()
        let ran = Mutex<[String: Duration]>([:])
        let begun = ContinuousClock.now
        let late = DelayedTask(after: .seconds(60), starts: starts) {
            ran.withLock { $0["late"] = begun.duration(to: .now) }
        }
        let soon = DelayedTask(after: .milliseconds(30), starts: starts) {
            ran.withLock { $0["soon"] = begun.duration(to: .now) }
        }
        let sooner = DelayedTask(after: .milliseconds(10), starts: starts) {
            ran.withLock { $0["sooner"] = begun.duration(to: .now) }
        }
        try await eventually("both short delays to run", timeout: .seconds(10), interval: .milliseconds(5)) {
            ran.withLock { $0.count } == 2
        }
        let times = ran.withLock { $0 }
        #expect(times["soon"].map { $0 >= .milliseconds(30) } == true, "\(times)")
        #expect(times["sooner"].map { $0 >= .milliseconds(10) } == true, "\(times)")
        #expect(times["late"] == nil)
        await soon.wait()
        await sooner.wait()
        late.cancel()
        #expect(starts.pendingCount == 0)
        // Cancelling after the start cancels the running task (a typing loop stops).
        let started = Mutex(false)
        let stopped = Mutex(false)
        let loop = DelayedTask(after: .milliseconds(1), starts: starts) {
            started.withLock { $0 = true }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            stopped.withLock { $0 = true }
        }
        try await eventually("the loop to start", timeout: .seconds(10), interval: .milliseconds(5)) {
            started.withLock { $0 }
        }
        loop.cancel()
        await loop.wait()
        #expect(stopped.withLock { $0 })
    }
}
