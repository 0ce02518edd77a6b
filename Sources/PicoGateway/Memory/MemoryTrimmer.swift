import Glibc
import CMalloc
import Logging
import Synchronization

/// Gives memory back to the kernel once the gateway has been idle for a moment: after a burst of concurrent
/// turns glibc keeps the peak heap, which would otherwise show up as permanent RSS growth. Debounced, so a
/// steady trickle of messages does not pay for a trim per message; one waiting task at most, so it does not pay
/// for a timer per message either. The same idle moment also drops the clean pages of the executable and its
/// start-up libraries from the page tables (`MappedCodePages`): what runs next maps them back from the page cache.
/// `schedule` takes a lock, not an actor hop: it runs once per turn.
public final class MemoryTrimmer: Sendable {
    private struct State {
        var deadline: ContinuousClock.Instant?
        var isIdle: (@Sendable () async -> Bool)?
        var waiting = false
    }

    /// What the waiting task does next.
    private enum Next {
        case sleep(until: ContinuousClock.Instant)
        case check((@Sendable () async -> Bool)?)
    }

    private let delay: Duration
    private let state = Mutex(State())
    private let releaseCaches: @Sendable () async -> Void

    /// `releaseCaches` runs first when the gateway is idle (e.g. the state store's page cache).
    init(delay: Duration = .seconds(2), releaseCaches: @escaping @Sendable () async -> Void = {}) {
        self.delay = delay
        self.releaseCaches = releaseCaches
    }

    /// Caps malloc arenas for this process and records which files the dynamic loader mapped at start-up (the
    /// only ones whose pages the idle release touches); call first thing, before other threads allocate much.
    public static func prepareAtStartup() {
        _ = pico_malloc_arena_max(2)
        MappedCodePages.recordStartupMappings()
    }

    /// Schedules a trim `delay` from now; a later call postpones it. `isIdle` (of the latest call) is checked when
    /// the time comes.
    func schedule(isIdle: @escaping @Sendable () async -> Bool) {
        let startTask = state.withLock { s in
            s.deadline = ContinuousClock.now + delay
            s.isIdle = isIdle
            guard !s.waiting else { return false }  // the waiting task sees the new deadline
            s.waiting = true
            return true
        }
        if startTask { Task { await self.waitAndTrim() } }
    }

    /// CPU time of the calling thread.
    private static func threadCPUMicroseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return t.tv_sec * 1_000_000 + t.tv_nsec / 1000
    }

    /// Whether a task waits for the deadline.
    var isWaiting: Bool { state.withLock { $0.waiting } }

    private func waitAndTrim() async {
        var check: (@Sendable () async -> Bool)?
        waiting: while true {
            let next = state.withLock { s -> Next in
                if let due = s.deadline, ContinuousClock.now < due { return .sleep(until: due) }
                s.waiting = false
                defer { (s.deadline, s.isIdle) = (nil, nil) }
                return .check(s.isIdle)
            }
            switch next {
            case .sleep(let due): try? await Task.sleep(until: due, clock: .continuous)
            case .check(let idle):
                check = idle
                break waiting
            }
        }
        guard let check, await check() else { return }
        await releaseCaches()
        let cpuBefore = Self.threadCPUMicroseconds()
        _ = pico_malloc_trim()
        let released = MappedCodePages.release()
        let cpu = Self.threadCPUMicroseconds() - cpuBefore
        Logger(label: "gateway").debug(
            "idle: heap trimmed, \(released.executable / 1024) KiB of executable pages released, \(released.libraries / 1024) KiB of library pages (\(cpu) µs of CPU)"
        )
    }
}
