/// The network thread as a place to run async code (issue 18: fewer thread hand-offs per message).
///
/// A task that prefers ``executor`` runs its jobs on the thread that drives every HTTP transfer and WebSocket:
/// a request it sends is handed to curl without waking that thread, and the response resumes it there without
/// waking a thread of Swift's pool. Default actors called from such a task run there too.
///
/// Rules for code that runs on the loop: nothing blocking (file or database I/O, `fsync`, child processes stay on
/// their own threads, as on the cooperative pool), and nothing that computes for long — curl is serviced only
/// between jobs. Work that may (tool calls, media) runs ``offLoop(_:)``, on Swift's global executor.
public enum NetworkLoop {
    /// The executor of the network thread.
    public static var executor: any TaskExecutor { CurlDriver.shared }

    /// Whether the caller runs on the network thread.
    public static var isCurrent: Bool { CurlDriver.shared.isCurrent }

    /// The preference for a task started by the caller: the network loop when the caller runs on it (so the
    /// message path's tasks stay there), none otherwise.
    public static var inherited: (any TaskExecutor)? { isCurrent ? executor : nil }

    /// Runs `operation` on Swift's global concurrent executor, whatever the caller's preference (CPU-heavy work).
    public static func offLoop<T, Failure: Error>(
        isolation: isolated (any Actor)? = #isolation, _ operation: () async throws(Failure) -> T
    ) async throws(Failure) -> T {
        try await withTaskExecutorPreference(globalConcurrentExecutor, isolation: isolation, operation: operation)
    }

    /// Task jobs the loop has run, and how many of them ran 20 ms or more (curl waited that long: a sign that
    /// something computes on the loop that should run ``offLoop(_:)``; the gateway exports it on `/metrics`).
    public static var statistics: (jobs: Int, slow: Int) { CurlDriver.shared.taskStatistics }
}
