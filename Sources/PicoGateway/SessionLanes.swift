/// Runs work items in arrival order per key (one lane per conversation), lanes concurrently.
/// `enqueue` returns at once; the consumer loop calls it in message order, so per-chat order holds even
/// though each turn runs in its own task.
actor SessionLanes {
    typealias Work = @Sendable () async -> Void
    private var queues: [String: [Work]] = [:]
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// Appends `work` to the lane `key`, starting the lane if it was idle.
    func enqueue(_ key: String, _ work: @escaping Work) {
        if queues[key] != nil {
            queues[key]!.append(work)
            return
        }
        queues[key] = [work]
        Task { await self.runLane(key) }
    }

    /// Work items queued or running.
    var pending: Int { queues.values.reduce(0) { $0 + $1.count } }

    /// Waits until every lane is empty.
    func waitUntilIdle() async {
        if queues.isEmpty { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func runLane(_ key: String) async {
        while let work = queues[key]?.first {
            await work()
            queues[key]!.removeFirst()
            if queues[key]!.isEmpty { queues[key] = nil }
        }
        if queues.isEmpty {
            let waiters = idleWaiters
            idleWaiters.removeAll()
            for w in waiters { w.resume() }
        }
    }
}
