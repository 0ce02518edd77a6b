#if canImport(Glibc)
import Glibc
#endif

/// Runs a short blocking job (file writes with `fsync`) on its own short-lived thread, so the cooperative
/// thread pool (2 threads on small machines) never waits for the disk.
enum BlockingIO {
    private final class Job: @unchecked Sendable {
        let work: () -> Void
        let done: CheckedContinuation<Void, Never>
        init(work: @escaping () -> Void, done: CheckedContinuation<Void, Never>) {
            self.work = work
            self.done = done
        }
    }

    /// Runs `work` on a new thread and returns when it finished (falls back to the caller's thread if no
    /// thread can be created).
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        let box = ResultBox<T>()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let job = Job(work: { box.value = work() }, done: done)
            let unmanaged = Unmanaged.passRetained(job)
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { arg in
                let job = Unmanaged<Job>.fromOpaque(arg!).takeRetainedValue()
                job.work()
                job.done.resume()
                return nil
            }, unmanaged.toOpaque())
            if rc == 0 {
                pthread_detach(thread)
            } else {
                let job = unmanaged.takeRetainedValue()
                job.work()
                job.done.resume()
            }
        }
        return box.value!
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var value: T?  // written by the worker before `done.resume()`, read after it
    }
}
