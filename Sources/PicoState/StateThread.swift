import Glibc
import Synchronization

/// One long-lived thread that owns the SQLite connection and runs the store's jobs one after another, so
/// database work (including `fsync`) never runs on Swift's cooperative thread pool. Jobs queue in FIFO order.
final class StateThread: Sendable {
    private final class Job: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    private struct Queue {
        var jobs: [Job] = []
        var head = 0
        var stopping = false
    }
    private let queue = Mutex(Queue())
    // The condition variable and its mutex live on the heap for the thread's lifetime.
    private nonisolated(unsafe) let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private nonisolated(unsafe) let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(wake, nil)
        let raw = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            let me = Unmanaged<StateThread>.fromOpaque(arg!).takeRetainedValue()
            me.loop()
            return nil
        }, raw)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<StateThread>.fromOpaque(raw).release()
            queue.withLock { $0.stopping = true }
        }
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (cont: CheckedContinuation<T, Never>) in
            let job = Job { cont.resume(returning: body()) }
            let accepted = queue.withLock { q -> Bool in
                guard !q.stopping else { return false }
                q.jobs.append(job)
                return true
            }
            if accepted {
                pthread_mutex_lock(lock)
                pthread_cond_signal(wake)
                pthread_mutex_unlock(lock)
            } else {
                job.body()  // the thread is gone (could not start, or stopped): run here
            }
        }
    }

    /// Lets the thread finish the queued jobs and end.
    func stop() {
        queue.withLock { $0.stopping = true }
        pthread_mutex_lock(lock)
        pthread_cond_signal(wake)
        pthread_mutex_unlock(lock)
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
            // Re-check under the condition mutex so a signal between `next()` and the wait is not lost.
            let (empty, stopping) = queue.withLock { ($0.head >= $0.jobs.count, $0.stopping) }
            if empty && stopping {
                pthread_mutex_unlock(lock)
                return
            }
            if empty { pthread_cond_wait(wake, lock) }
            pthread_mutex_unlock(lock)
        }
    }
}
