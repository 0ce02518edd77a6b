import PicoChannels
import PicoSystem
import Testing

/// The gateway waits for a channel's state to change instead of asking on a timer (`ChannelSupervisor`).
@Suite struct ChangeSignalTests {
    /// Waits (yielding, no timer) until `cell` has `count` waiting tasks.
    private func waitForWaiters<V>(_ cell: ChangeSignal<V>, _ count: Int) async {
        while cell.waiterCount != count { await Task.yield() }
    }

    @Test func returnsAtOnceWhenTheStateAlreadyDiffers() async {
        let cell = ChangeSignal<ChannelState>(.stopped)
        cell.set(.connecting)
        await cell.change(after: .stopped)
        #expect(cell.waiterCount == 0)
    }

    @Test func aWaitingTaskWakesOnlyWhenTheStateChanges() async {
        let cell = ChangeSignal<ChannelState>(.stopped)
        cell.set(.connected)
        let waiter = Task {
            await cell.change(after: .connected); return cell.value
        }
        await waitForWaiters(cell, 1)
        cell.set(.connected)  // the same state: nobody wakes
        #expect(cell.waiterCount == 1)
        cell.set(.failed("token rejected"))
        #expect(await waiter.value == .failed("token rejected"))
        #expect(cell.waiterCount == 0)
    }

    @Test func everyWaitingTaskWakes() async {
        let cell = ChangeSignal<ChannelState>(.stopped)
        let waiters = (0..<3).map { _ in Task { await cell.change(after: .stopped) } }
        await waitForWaiters(cell, 3)
        cell.set(.connecting)
        for waiter in waiters { await waiter.value }
        #expect(cell.waiterCount == 0)
    }

    @Test func cancellingAWaitingTaskEndsItsWait() async {
        let cell = ChangeSignal<ChannelState>(.stopped)
        let waiter = Task { await cell.change(after: .stopped) }
        await waitForWaiters(cell, 1)
        waiter.cancel()
        await waiter.value
        #expect(cell.waiterCount == 0)
        #expect(cell.value == .stopped)
    }

    @Test func aTaskCancelledBeforeItWaitsDoesNotWait() async {
        let cell = ChangeSignal<ChannelState>(.stopped)
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await cell.change(after: .stopped)
        }
        await waiter.value
        #expect(cell.waiterCount == 0)
    }

    @Test func anUpdateThatLeavesTheValueAsItWasWakesNobody() async {
        let counter = ChangeSignal<UInt64>(0)
        let waiter = Task { await counter.change(after: 0) }
        await waitForWaiters(counter, 1)
        counter.update { $0 = $0 * 2 }
        #expect(counter.waiterCount == 1)
        counter.update { $0 &+= 1 }
        await waiter.value
        #expect(counter.value == 1)
    }
}
