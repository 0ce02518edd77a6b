import Glibc

/// How a ``LogDestination`` hands bytes to the kernel.
protocol LogSink: AnyObject, Sendable {
    /// `false` for a regular file: no system call says in advance that a write will not block on a stuck disk,
    /// so it is only ever written on the destination's own thread.
    var writesWithoutBlocking: Bool { get }
    /// Writes what the kernel takes at once without blocking and returns that byte count (all of them when the
    /// destination is gone: they are discarded).
    func writeWithoutBlocking(_ bytes: UnsafeRawBufferPointer) -> Int
    /// Writes every byte, blocking as long as it takes (on the destination's own thread). `false`: the destination
    /// is gone (no reader, closed descriptor); the bytes are lost.
    func writeBlocking(_ bytes: UnsafeRawBufferPointer) -> Bool
}

/// One place log lines go (stderr or the log file), written without ever blocking the thread that logs — often the
/// network loop, whose stall would stop every channel.
///
/// A line is written on the caller's thread when nothing is queued and the sink says the write will not block
/// (a pipe or terminal with room, a socket's non-blocking send). Otherwise it is queued, in order, for a writer
/// thread started on demand, which blocks in its place and ends after a few idle seconds. The queue is bounded
/// (``queueLimit`` bytes): lines beyond it are dropped and counted, and one line saying how many follows once the
/// queue has drained. Regular files are always written by the writer thread, a batch at most every ``batchDelay``
/// while lines keep coming, so a busy gateway wakes it a few times a second, not once per line.
final class LogDestination: @unchecked Sendable {  // every mutable field is guarded by `lock`
    /// The most bytes queued for a stalled destination; lines beyond it are dropped (and counted).
    static let queueLimit = 64 * 1024
    /// A file writer's pause after a batch, to gather the next one.
    static let batchDelay: Duration = .milliseconds(100)
    /// How long an idle writer thread waits for work before it ends.
    static let idleTimeout: Duration = .seconds(2)

    /// Names the destination in the dropped-lines report (`stderr`, `log file`).
    let name: String
    private let sink: any LogSink
    private let queueLimit: Int
    private nonisolated(unsafe) let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Wakes the writer (new lines, a flush).
    private nonisolated(unsafe) let work = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Wakes ``flush(within:)`` when the queue has drained.
    private nonisolated(unsafe) let drained = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [UInt8] = []
    /// The writer holds bytes taken from `pending` (so a new line must queue behind them).
    private var writing = false
    private var writerRunning = false
    /// The writer waits for a signal (not in its timed pause after a batch).
    private var writerWaiting = false
    private var droppedTotal = 0
    private var droppedUnreported = 0
    private var writerStarts = 0

    init(name: String, sink: any LogSink, queueLimit: Int = LogDestination.queueLimit) {
        self.name = name
        self.sink = sink
        self.queueLimit = queueLimit
        pthread_mutex_init(lock, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(work, &attributes)
        pthread_cond_init(drained, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(work)
        pthread_cond_destroy(drained)
        pthread_mutex_destroy(lock)
        work.deallocate()
        drained.deallocate()
        lock.deallocate()
    }

    /// Lines dropped so far because the destination did not keep up.
    var droppedLines: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return droppedTotal
    }

    /// How many times a writer thread was started (tests: none while the destination keeps up).
    var writerThreadStarts: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return writerStarts
    }

    /// Writes `bytes` (whole lines) now if that cannot block, else queues them; never waits for the destination.
    func write(_ bytes: UnsafeRawBufferPointer) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if pending.isEmpty && !writing && sink.writesWithoutBlocking {
            let written = sink.writeWithoutBlocking(bytes)
            if written >= bytes.count { return }
            // The rest of a line begun is always queued, so the destination never holds half a line.
            enqueue(UnsafeRawBufferPointer(rebasing: bytes[written...]), whole: written == 0)
        } else {
            enqueue(bytes, whole: true)
        }
        if !writerRunning {
            writerRunning = startWriter()
        } else if writerWaiting {
            pthread_cond_signal(work)
        }
    }

    /// Waits up to `timeout` until every queued line was written; `false` if some are still waiting.
    @discardableResult
    func flush(within timeout: Duration) -> Bool {
        var deadline = Self.deadline(after: timeout)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        pthread_cond_signal(work)  // ends a file writer's pause between batches
        while !pending.isEmpty || writing {
            guard writerRunning, pthread_cond_timedwait(drained, lock, &deadline) != ETIMEDOUT else {
                return pending.isEmpty && !writing
            }
        }
        return true
    }

    /// Queues a line (or the rest of one begun); a whole line that does not fit is dropped and counted.
    private func enqueue(_ bytes: UnsafeRawBufferPointer, whole: Bool) {
        if whole && pending.count + bytes.count > queueLimit {
            droppedTotal += 1
            droppedUnreported += 1
            return
        }
        pending.append(contentsOf: bytes)
    }

    private func startWriter() -> Bool {
        let raw = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { arg in
                guard let arg else { return nil }
                Unmanaged<LogDestination>.fromOpaque(arg).takeRetainedValue().writerLoop()
                return nil
            }, raw)
        guard rc == 0 else {
            Unmanaged<LogDestination>.fromOpaque(raw).release()  // stays queued; the next line tries again
            return false
        }
        pthread_detach(thread)
        writerStarts += 1
        return true
    }

    /// The writer thread: writes the queue in batches, reports dropped lines once it has drained, ends when idle.
    private func writerLoop() {
        pthread_mutex_lock(lock)
        var pauseAfterBatch = false
        while true {
            if pending.isEmpty && droppedUnreported > 0 {
                pending = Array(report().utf8)
                droppedUnreported = 0
            }
            if pending.isEmpty {
                pthread_cond_broadcast(drained)
                // A file writer pauses after a batch without being signalled, so lines logged meanwhile cost
                // their callers no wake-up; then it waits for a signal, and ends when none comes.
                writerWaiting = !pauseAfterBatch
                var deadline = Self.deadline(after: pauseAfterBatch ? Self.batchDelay : Self.idleTimeout)
                let timedOut = pthread_cond_timedwait(work, lock, &deadline) == ETIMEDOUT
                writerWaiting = false
                if pending.isEmpty && timedOut && !pauseAfterBatch {
                    writerRunning = false
                    pthread_mutex_unlock(lock)
                    return
                }
                pauseAfterBatch = false
                continue
            }
            let batch = pending
            pending = []
            writing = true
            pthread_mutex_unlock(lock)
            let delivered = batch.withUnsafeBytes { sink.writeBlocking($0) }
            pthread_mutex_lock(lock)
            writing = false
            if !delivered {
                let lines = batch.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                droppedTotal += lines
            }
            pauseAfterBatch = !sink.writesWithoutBlocking
        }
    }

    /// The line that follows a drained queue after lines were dropped.
    private func report() -> String {
        "\(PicoLogHandler.timestamp()) warning log: \(droppedUnreported) log line(s) dropped: \(name) was not "
            + "accepting output fast enough (a stalled reader or disk); picoclaw_log_lines_dropped_total counts them\n"
    }

    private static func deadline(after duration: Duration) -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let (seconds, attoseconds) = duration.components
        ts.tv_sec += Int(seconds)
        ts.tv_nsec += Int(attoseconds / 1_000_000_000)
        if ts.tv_nsec >= 1_000_000_000 {
            ts.tv_sec += 1
            ts.tv_nsec -= 1_000_000_000
        }
        return ts
    }
}
