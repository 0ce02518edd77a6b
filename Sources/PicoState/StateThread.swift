import Glibc
import Synchronization

/// The thread that runs the store's jobs one after another, so database work (including `fsync`) never runs on
/// Swift's cooperative thread pool. Jobs queue in FIFO order. The thread is started on demand and ends after
/// `idleTimeout` without work, so an idle gateway holds no extra thread; the next job starts a new one (the
/// connection is never used by two threads at once: SQLite's multi-thread mode).
final class StateThread: Sendable {
    private final class Job: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    private struct Queue {
        var jobs: [Job] = []
        var head = 0
        var stopping = false
        var threadRunning = false
    }
    private let queue = Mutex(Queue())
    private let idleTimeout: Duration
    // The condition variable and its mutex live on the heap for the object's lifetime.
    private nonisolated(unsafe) let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private nonisolated(unsafe) let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(idleTimeout: Duration = .seconds(5)) {
        self.idleTimeout = idleTimeout
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
            let job = Job { cont.resume(returning: body()) }
            pthread_mutex_lock(lock)
            let (accepted, start) = queue.withLock { q -> (Bool, Bool) in
                guard !q.stopping else { return (false, false) }
                q.jobs.append(job)
                let start = !q.threadRunning
                q.threadRunning = true
                return (true, start)
            }
            if accepted { pthread_cond_signal(wake) }
            pthread_mutex_unlock(lock)
            if !accepted {
                job.body()  // stopped: run here (the store answers "closed")
            } else if start, !spawn() {
                queue.withLock { $0.threadRunning = false }
                while let next = next() { next.body() }  // no thread could be created: run here
            }
        }
    }

    /// Lets the thread finish the queued jobs and end.
    func stop() {
        pthread_mutex_lock(lock)
        queue.withLock { $0.stopping = true }
        pthread_cond_signal(wake)
        pthread_mutex_unlock(lock)
    }

    private func spawn() -> Bool {
        let raw = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { arg in
                let me = Unmanaged<StateThread>.fromOpaque(arg!).takeRetainedValue()
                me.loop()
                return nil
            }, raw)
        guard rc == 0 else {
            Unmanaged<StateThread>.fromOpaque(raw).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    private func next() -> Job? {
        queue.withLock { q -> Job? in
            guard q.head < q.jobs.count else { return nil }
            let job = q.jobs[q.head]
            q.head += 1
            if q.head > 64 && q.head * 2 > q.jobs.count {
                q.jobs.removeFirst(q.head)
                q.head = 0
            }
            return job
        }
    }

    private func loop() {
        while true {
            if let job = next() {
                job.body()
                continue
            }
            pthread_mutex_lock(lock)
            // Re-checked under the condition mutex (which `run` holds while queueing), so no wake-up is lost.
            var (empty, stopping) = queue.withLock { ($0.head >= $0.jobs.count, $0.stopping) }
            if empty && !stopping {
                var deadline = timespec()
                clock_gettime(CLOCK_REALTIME, &deadline)
                let (seconds, attoseconds) = idleTimeout.components
                deadline.tv_sec += Int(seconds)
                deadline.tv_nsec += Int(attoseconds / 1_000_000_000)
                if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
                _ = pthread_cond_timedwait(wake, lock, &deadline)
                (empty, stopping) = queue.withLock { ($0.head >= $0.jobs.count, $0.stopping) }
            }
            if empty {
                // Idle (or stopping with nothing left): end; the next job starts a new thread.
                queue.withLock { $0.threadRunning = false }
                pthread_mutex_unlock(lock)
                return
            }
            pthread_mutex_unlock(lock)
        }
    }
}
