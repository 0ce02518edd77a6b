import PicoHTTP
import Synchronization

/// A task that starts only after a delay, and costs nothing of its own when cancelled before (issue 18): the
/// typing indicator and the reply preview of a turn that answers within their delay (most turns) create no task
/// and arm no timer — one waiting task (``DelayedStarts``) serves every delay of the process. Both run on the
/// network thread (``NetworkLoop``): their work is HTTP requests, which then need no thread hand-off.
final class DelayedTask: Sendable {
    private struct State {
        var ticket: Int?
        var task: Task<Void, Never>?
        var cancelled = false
    }
    private let state = Mutex(State())
    private let starts: DelayedStarts

    /// Starts `operation` in a task of its own once `delay` (already scaled) has passed, unless ``cancel()`` came
    /// first; at once when `delay` is not positive.
    init(
        after delay: Duration, starts: DelayedStarts = .shared, _ operation: @escaping @Sendable () async -> Void
    ) {
        self.starts = starts
        guard delay > .zero else {
            state.withLock { $0.task = Task(executorPreference: NetworkLoop.executor) { await operation() } }
            return
        }
        let ticket = starts.schedule(after: delay) { [self] in
            state.withLock { s in
                guard !s.cancelled, s.task == nil else { return }
                s.task = Task(executorPreference: NetworkLoop.executor) { await operation() }
            }
        }
        state.withLock { $0.ticket = ticket }
    }

    /// Stops the operation: it never starts, or its task is cancelled (idempotent).
    func cancel() {
        let (ticket, task) = state.withLock { s in
            s.cancelled = true
            defer { s.ticket = nil }
            return (s.ticket, s.task)
        }
        if let ticket { starts.cancel(ticket) }
        task?.cancel()
    }

    /// Waits for the operation's task, if it started.
    func wait() async {
        await state.withLock { $0.task }?.value
    }
}

/// Runs start-up closures after their delays with one waiting task for the whole process, instead of a task and
/// a timer per delay: with a steady stream of quick turns it wakes about once per delay, not per turn, and ends
/// when nothing is pending. Cancelling is a dictionary removal.
final class DelayedStarts: Sendable {
    static let shared = DelayedStarts()

    private struct Entry {
        let due: ContinuousClock.Instant
        let start: @Sendable () -> Void
    }
    private struct State {
        var next = 0
        var pending: [Int: Entry] = [:]
        /// The current waiter (an earlier one that wakes later sees it was replaced and ends).
        var generation = 0
        /// When the current waiter wakes; `nil` when there is none.
        var target: ContinuousClock.Instant?
        var waiters = 0
    }
    private let state = Mutex(State())

    /// Calls `start` once `delay` has passed, unless ``cancel(_:)`` comes first. Returns the ticket to cancel with.
    func schedule(after delay: Duration, _ start: @escaping @Sendable () -> Void) -> Int {
        let due = ContinuousClock.now + delay
        let (ticket, waiter) = state.withLock { s -> (Int, Int?) in
            s.next += 1
            s.pending[s.next] = Entry(due: due, start: start)
            if let target = s.target, target <= due { return (s.next, nil) }  // the waiter wakes in time
            s.generation += 1
            s.waiters += 1
            s.target = due
            return (s.next, s.generation)
        }
        if let waiter {
            Task(executorPreference: NetworkLoop.executor) { await self.wait(generation: waiter, until: due) }
        }
        return ticket
    }

    /// Forgets `ticket`'s closure; `false` when it already ran (or was cancelled).
    @discardableResult
    func cancel(_ ticket: Int) -> Bool {
        state.withLock { $0.pending.removeValue(forKey: ticket) != nil }
    }

    /// Closures waiting (tests).
    var pendingCount: Int { state.withLock { $0.pending.count } }
    /// Waiting tasks started so far (tests).
    var waitersStarted: Int { state.withLock { $0.waiters } }

    private func wait(generation: Int, until first: ContinuousClock.Instant) async {
        var target = first
        while true {
            try? await Task.sleep(until: target, clock: .continuous)
            let (due, next) = state.withLock { s -> ([@Sendable () -> Void], ContinuousClock.Instant?) in
                guard s.generation == generation else { return ([], nil) }  // replaced by an earlier waiter
                let now = ContinuousClock.now
                var due: [@Sendable () -> Void] = []
                var next: ContinuousClock.Instant?
                for (ticket, entry) in s.pending {
                    if entry.due <= now {
                        due.append(entry.start)
                        s.pending[ticket] = nil
                    } else if next.map({ entry.due < $0 }) ?? true {
                        next = entry.due
                    }
                }
                s.target = next
                return (due, next)
            }
            for start in due { start() }
            guard let next else { return }
            target = next
        }
    }
}
