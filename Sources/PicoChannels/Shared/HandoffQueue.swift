import Synchronization

/// A bounded queue between a channel's receive loop and the single `inbound` consumer, with backpressure:
/// `put` suspends while the buffer is full. With `waitUntilTaken`, `put` returns only once the consumer has
/// taken the element (Telegram uses that to advance its offset only after a real hand-off).
final class HandoffQueue<Element: Sendable>: Sendable {
    private struct Pending {
        var id: UInt64
        var element: Element
        var putter: CheckedContinuation<Bool, Never>?
    }
    private struct State {
        var items: [Pending] = []
        var blockedPutters:
            [(id: UInt64, element: Element, continuation: CheckedContinuation<Bool, Never>, waitTaken: Bool)] = []
        var taker: (id: UInt64, continuation: CheckedContinuation<Element?, Never>)?
        var finished = false
        var nextID: UInt64 = 0
    }
    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    /// Puts not resolved yet: waiting for room, or (with `waitUntilTaken`) for the consumer to take them (tests).
    var waitingPutCount: Int {
        state.withLock { s in s.blockedPutters.count + s.items.filter { $0.putter != nil }.count }
    }

    /// The consumer side as an `AsyncStream`.
    func makeStream() -> AsyncStream<Element> {
        AsyncStream(unfolding: { [self] in await self.take() }, onCancel: { [self] in self.finish() })
    }

    /// Hands `element` over. Returns `false` if the queue was finished (or the task cancelled) before the
    /// element was accepted — or, with `waitUntilTaken`, before the consumer took it.
    func put(_ element: Element, waitUntilTaken: Bool = false) async -> Bool {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1; return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Bool, Never>) in
                let resumeTaker: (CheckedContinuation<Element?, Never>)? = state.withLock { s in
                    if s.finished || Task.isCancelled { cont.resume(returning: false); return nil }
                    if let taker = s.taker {  // a consumer is waiting: hand over directly
                        s.taker = nil
                        cont.resume(returning: true)
                        return taker.continuation
                    }
                    if s.items.count < capacity {
                        s.items.append(Pending(id: id, element: element, putter: waitUntilTaken ? cont : nil))
                        if !waitUntilTaken { cont.resume(returning: true) }
                    } else {
                        s.blockedPutters.append((id, element, cont, waitUntilTaken))
                    }
                    return nil
                }
                resumeTaker?.resume(returning: element)
            }
        } onCancel: {
            let cont: CheckedContinuation<Bool, Never>? = state.withLock { s in
                if let i = s.blockedPutters.firstIndex(where: { $0.id == id }) {
                    return s.blockedPutters.remove(at: i).continuation
                }
                if let i = s.items.firstIndex(where: { $0.id == id && $0.putter != nil }) {
                    return s.items.remove(at: i).putter
                }
                return nil
            }
            cont?.resume(returning: false)
        }
    }

    /// Takes the next element, or `nil` once finished.
    func take() async -> Element? {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1; return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Element?, Never>) in
                var resumes: [() -> Void] = []
                state.withLock { s in
                    if !s.items.isEmpty {
                        let first = s.items.removeFirst()
                        if let putter = first.putter { resumes.append { putter.resume(returning: true) } }
                        refill(&s, &resumes)
                        resumes.append { cont.resume(returning: first.element) }
                    } else if !s.blockedPutters.isEmpty {
                        let p = s.blockedPutters.removeFirst()
                        resumes.append { p.continuation.resume(returning: true) }
                        resumes.append { cont.resume(returning: p.element) }
                    } else if s.finished || Task.isCancelled {
                        resumes.append { cont.resume(returning: nil) }
                    } else {
                        if let old = s.taker { resumes.append { old.continuation.resume(returning: nil) } }
                        s.taker = (id, cont)
                    }
                }
                for r in resumes { r() }
            }
        } onCancel: {
            let cont = state.withLock { s -> CheckedContinuation<Element?, Never>? in
                guard let t = s.taker, t.id == id else { return nil }
                s.taker = nil
                return t.continuation
            }
            cont?.resume(returning: nil)
        }
    }

    /// Moves blocked putters into the freed buffer space.
    private func refill(_ s: inout State, _ resumes: inout [() -> Void]) {
        while s.items.count < capacity, !s.blockedPutters.isEmpty {
            let p = s.blockedPutters.removeFirst()
            s.items.append(Pending(id: p.id, element: p.element, putter: p.waitTaken ? p.continuation : nil))
            if !p.waitTaken { resumes.append { p.continuation.resume(returning: true) } }
        }
    }

    /// Ends the queue: the consumer gets the buffered elements and then `nil`; pending `put`s return `false`.
    func finish() {
        var resumes: [() -> Void] = []
        state.withLock { s in
            guard !s.finished else { return }
            s.finished = true
            for p in s.blockedPutters { resumes.append { p.continuation.resume(returning: false) } }
            s.blockedPutters = []
            // Elements whose producer waits for the hand-off are withdrawn: they were never taken.
            for (i, item) in s.items.enumerated().reversed() where item.putter != nil {
                let putter = item.putter!
                resumes.append { putter.resume(returning: false) }
                s.items.remove(at: i)
            }
            if s.items.isEmpty, let t = s.taker {
                s.taker = nil
                resumes.append { t.continuation.resume(returning: nil) }
            }
        }
        for r in resumes { r() }
    }
}
