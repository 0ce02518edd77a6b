#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (a child process, file I/O with `fsync`, `getaddrinfo`) on a fresh, short-lived, detached
/// pthread and resumes the caller when it finished, so Swift's cooperative thread pool (2 threads on small
/// machines) never waits on the kernel. No long-lived thread is kept.
public enum DedicatedThread {
    private final class Job: @unchecked Sendable {
        // Written once before the thread starts, read once on it.
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on its own thread and returns its result (on the caller's thread only if no thread can be
    /// created).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = Job { continuation.resume(returning: body()) }
            let raw = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(
                &thread, nil,
                { arg in
                    guard let arg else { return nil }
                    Unmanaged<Job>.fromOpaque(arg).takeRetainedValue().body()
                    return nil
                }, raw)
            if rc == 0 {
                pthread_detach(thread)
            } else {
                Unmanaged<Job>.fromOpaque(raw).takeRetainedValue().body()
            }
        }
    }

    /// Runs a throwing `body` on its own thread; rethrows its typed error on the caller.
    public static func run<T: Sendable, E: Error>(
        throwing body: @escaping @Sendable () throws(E) -> T
    ) async throws(E) -> T {
        let result: Result<T, E> = await run { () -> Result<T, E> in
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
