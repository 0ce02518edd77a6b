import PicoHTTP

/// The one scheduler of turns, fed from the inbox: jobs of one conversation run one after another in
/// submission order; jobs of different conversations run concurrently, at most `maxConcurrent` at a time,
/// conversations taking turns in the order they became ready.
///
/// ``stop()`` ends intake: queued jobs never start (they stay pending in the inbox and run after the restart);
/// ``waitUntilIdle(timeout:)`` then waits for the running ones. Nothing here knows about messages or agents:
/// a job is an id handed to `work`.
actor TurnScheduler {
    typealias Work = @Sendable (Int64) async -> Void

    let maxConcurrent: Int
    private let work: Work
    private var queues: [String: [Int64]] = [:]
    private var ready: [String] = []  // conversations with queued jobs and none running, FIFO
    private var busy: Set<String> = []  // conversations with a running job
    private var running = 0
    private var queuedCount = 0
    private var stopped = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(maxConcurrent: Int, work: @escaping Work) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.work = work
    }

    /// Queues job `id` behind earlier jobs of `conversation`. Ignored after ``stop()``.
    func submit(conversation: String, id: Int64) {
        guard !stopped else { return }
        queuedCount += 1
        if queues[conversation] == nil {
            queues[conversation] = [id]
            if !busy.contains(conversation) { ready.append(conversation) }
        } else {
            queues[conversation]!.append(id)
        }
        startReady()
    }

    /// Starts no more jobs; running ones finish.
    func stop() {
        stopped = true
        wakeIfIdle()
    }

    /// Jobs running now.
    var runningCount: Int { running }
    /// Jobs queued and not started.
    var queued: Int { queuedCount }
    /// Jobs running or queued.
    var pending: Int { running + queuedCount }

    /// Waits until nothing runs and (unless stopped) nothing is queued, or `timeout` passed. Returns whether
    /// that state was reached.
    func waitUntilIdle(timeout: Duration) async -> Bool {
        if isIdle { return true }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.wakeAll()
        }
        await withCheckedContinuation { idleWaiters.append($0) }
        timer.cancel()
        return isIdle
    }

    private var isIdle: Bool { running == 0 && (stopped || queuedCount == 0) }

    private func startReady() {
        while !stopped, running < maxConcurrent, !ready.isEmpty {
            let conversation = ready.removeFirst()
            guard var queue = queues[conversation], !queue.isEmpty else { continue }
            let id = queue.removeFirst()
            queues[conversation] = queue.isEmpty ? nil : queue
            queuedCount -= 1
            busy.insert(conversation)
            running += 1
            let work = self.work
            // On the network thread (``NetworkLoop``): the turn's HTTP exchanges resume it without a thread hand-off.
            Task(executorPreference: NetworkLoop.executor) {
                await work(id)
                await self.finished(conversation)
            }
        }
    }

    private func finished(_ conversation: String) {
        running -= 1
        busy.remove(conversation)
        if queues[conversation] != nil { ready.append(conversation) }
        startReady()
        wakeIfIdle()
    }

    private func wakeIfIdle() {
        if isIdle { wakeAll() }
    }

    private func wakeAll() {
        let waiters = idleWaiters
        idleWaiters.removeAll()
        for w in waiters { w.resume() }
    }
}
