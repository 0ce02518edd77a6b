@testable import PicoGateway
import Synchronization
import Testing

/// The trimmer is debounced with one waiting task: a burst of turns leads to one idle check, `delay` after the last.
/// (The delay is long enough for the five calls to land within it while other suites load the 2 pool threads.)
@Suite("memory trimmer")
struct MemoryTrimmerTests {
    @Test func aBurstOfSchedulesChecksOnceADelayAfterTheLastAndLeavesNothingWaiting() async throws {
        let trimmer = MemoryTrimmer(delay: .seconds(1))
        let checks = Mutex(0)
        let (calls, report) = AsyncStream<ContinuousClock.Instant>.makeStream()
        var last = ContinuousClock.now
        for _ in 0..<5 {
            last = .now
            trimmer.schedule {
                checks.withLock { $0 += 1 }
                report.yield(.now)
                return false  // busy: no trim
            }
        }
        var next = calls.makeAsyncIterator()
        let checkedAt = try #require(await next.next())
        #expect(checkedAt >= last + .seconds(1))
        #expect(checks.withLock { $0 } == 1)
        #expect(trimmer.isWaiting == false, "no second task waits after the check")
    }
}
