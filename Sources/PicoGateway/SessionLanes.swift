/// Runs work items in arrival order per key (one lane per conversation), lanes concurrently.
/// `enqueue` returns at once; the consumer loop calls it in message order, so per-chat order holds even
/// though each turn runs in its own task.
actor SessionLanes {
    typealias Work = @Sendable () async -> Void
    private var queues: [String: [Work]] = [:]
    private var tasks: [String: Task<Void, Never>] = [:]
    private var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    /// Appends `work` to the lane `key`, starting the lane if it was idle.
    func enqueue(_ key: String, _ work: @escaping Work) {
        if queues[key] != nil {
            queues[key]!.append(work)
            return
        }
        queues[key] = [work]
        tasks[key] = Task { await self.runLane(key) }
    }

    /// Cancels every lane: running turns see cancellation (and persist what they have); queued ones are dropped.
    func cancelAll() {
        for key in queues.keys { queues[key] = Array(queues[key]!.prefix(1)) }
        for task in tasks.values { task.cancel() }
    }

    /// Work items queued or running.
    var pending: Int { queues.values.reduce(0) { $0 + $1.count } }

    /// Waits until every lane is empty, or the calling task is cancelled.
    func waitUntilIdle() async {
        if queues.isEmpty { return }
        let id = nextWaiter
        nextWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { idleWaiters[id] = continuation }
            }
        } onCancel: {
            Task { await self.resumeWaiter(id) }
        }
    }

    private func resumeWaiter(_ id: Int) {
        idleWaiters.removeValue(forKey: id)?.resume()
    }

    private func runLane(_ key: String) async {
        while let work = queues[key]?.first {
            await work()
            queues[key]!.removeFirst()
            if queues[key]!.isEmpty { queues[key] = nil }
        }
        tasks[key] = nil
        if queues.isEmpty {
            let waiters = idleWaiters.values
            idleWaiters.removeAll()
            for w in waiters { w.resume() }
        }
    }
}
