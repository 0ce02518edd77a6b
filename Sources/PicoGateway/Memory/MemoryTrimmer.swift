import Glibc
import CMalloc
import Logging

/// Gives memory back to the kernel once the gateway has been idle for a moment: after a burst of concurrent
/// turns glibc keeps the peak heap, which would otherwise show up as permanent RSS growth. Debounced, so a
/// steady trickle of messages does not pay for a trim per message; one waiting task at most, so it does not pay
/// for a timer per message either. The same idle moment also drops the clean pages of the executable and its
/// start-up libraries from the page tables (`MappedCodePages`): what runs next maps them back from the page cache.
public actor MemoryTrimmer {
    private let delay: Duration
    private var deadline: ContinuousClock.Instant?
    private var isIdle: (@Sendable () async -> Bool)?
    private var waiting = false
    private let releaseCaches: @Sendable () async -> Void

    /// `releaseCaches` runs first when the gateway is idle (e.g. the state store's page cache).
    init(delay: Duration = .seconds(2), releaseCaches: @escaping @Sendable () async -> Void = {}) {
        self.delay = delay
        self.releaseCaches = releaseCaches
    }

    /// Caps malloc arenas for this process and records which files the dynamic loader mapped at start-up (the
    /// only ones whose pages the idle release touches); call first thing, before other threads allocate much.
    public nonisolated static func prepareAtStartup() {
        _ = pico_malloc_arena_max(2)
        MappedCodePages.recordStartupMappings()
    }

    /// Schedules a trim `delay` from now; a later call postpones it. `isIdle` (of the latest call) is checked when
    /// the time comes.
    func schedule(isIdle: @escaping @Sendable () async -> Bool) {
        deadline = ContinuousClock.now + delay
        self.isIdle = isIdle
        guard !waiting else { return }  // the waiting task sees the new deadline
        waiting = true
        Task { await self.waitAndTrim() }
    }

    /// CPU time of the calling thread.
    private static func threadCPUMicroseconds() -> Int {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return t.tv_sec * 1_000_000 + t.tv_nsec / 1000
    }

    /// Whether a task waits for the deadline.
    var isWaiting: Bool { waiting }

    private func waitAndTrim() async {
        while let due = deadline, ContinuousClock.now < due {
            try? await Task.sleep(until: due, clock: .continuous)
        }
        waiting = false
        let check = isIdle
        deadline = nil
        isIdle = nil
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
