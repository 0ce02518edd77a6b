/// Thrown by ``AgentDispatcher/submit(session:_:)`` once draining has started.
public struct DispatcherClosedError: Error, Sendable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// Human-readable text (safe to log).
    public var description: String { "the agent dispatcher is shutting down and accepts no new turns" }
}

/// Serialises turns per session (FIFO) and runs turns of different sessions concurrently, at most
/// ``maxConcurrentTurns`` at a time. ``drain(timeout:)`` stops accepting work and waits for queued and running
/// turns, for graceful shutdown.
public actor AgentDispatcher {
    /// Concurrency bound across sessions.
    public nonisolated let maxConcurrentTurns: Int

    private var busySessions: Set<SessionKey> = []
    private var sessionWaiters: [SessionKey: [CheckedContinuation<Void, Never>]] = [:]
    private var running = 0
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []
    private var pending = 0
    private var accepting = true
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a dispatcher running at most `maxConcurrentTurns` turns at once.
    public init(maxConcurrentTurns: Int = 4) {
        self.maxConcurrentTurns = max(1, maxConcurrentTurns)
    }

    /// Turns accepted and not yet finished (queued or running).
    public var inFlight: Int { pending }

    /// `false` once ``drain(timeout:)`` was called.
    public var isAccepting: Bool { accepting }

    /// Runs `work` after every earlier turn of `session` has finished and a concurrency slot is free.
    /// - Throws: ``DispatcherClosedError`` when draining has started.
    public func submit<T: Sendable>(session: SessionKey, _ work: @Sendable () async -> T) async throws -> T {
        guard accepting else { throw DispatcherClosedError() }
        pending += 1
        await acquireSession(session)
        await acquireSlot()
        let result = await work()
        releaseSlot()
        releaseSession(session)
        pending -= 1
        if pending == 0 {
            let waiters = drainWaiters
            drainWaiters.removeAll()
            for w in waiters { w.resume() }
        }
        return result
    }

    /// Runs one turn of `agent` in `session`; after draining started, answers with a shutdown notice instead.
    public func respond(agent: AgentRuntime, to message: InboundText, session: SessionKey) async -> AgentReply {
        do {
            return try await submit(session: session) { await agent.respond(to: message, session: session) }
        } catch {
            return AgentReply(text: "Sorry — I'm restarting right now. Please send that again in a moment.",
                              agentID: agent.settings.id, sessionKey: session)
        }
    }

    /// Stops accepting turns and waits until queued and running turns finished, or `timeout` passed.
    /// - Returns: `true` when everything finished in time.
    @discardableResult
    public func drain(timeout: Duration) async -> Bool {
        accepting = false
        if pending == 0 { return true }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.wakeDrainWaiters()
        }
        await withCheckedContinuation { drainWaiters.append($0) }
        timer.cancel()
        return pending == 0
    }

    private func wakeDrainWaiters() {
        let waiters = drainWaiters
        drainWaiters.removeAll()
        for w in waiters { w.resume() }
    }

    private func acquireSession(_ key: SessionKey) async {
        if busySessions.insert(key).inserted { return }
        await withCheckedContinuation { sessionWaiters[key, default: []].append($0) }
        // Ownership was handed over by releaseSession; the key stays in busySessions.
    }

    private func releaseSession(_ key: SessionKey) {
        if var waiters = sessionWaiters[key], !waiters.isEmpty {
            let next = waiters.removeFirst()
            sessionWaiters[key] = waiters.isEmpty ? nil : waiters
            next.resume()
        } else {
            busySessions.remove(key)
        }
    }

    private func acquireSlot() async {
        if running < maxConcurrentTurns {
            running += 1
            return
        }
        await withCheckedContinuation { slotWaiters.append($0) }
    }

    private func releaseSlot() {
        if !slotWaiters.isEmpty {
            slotWaiters.removeFirst().resume()
        } else {
            running -= 1
        }
    }
}
