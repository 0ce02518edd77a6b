@testable import PicoChannels
import PicoFakes
import Testing

@Suite("HandoffQueue")
struct HandoffQueueTests {
    @Test func waitUntilTakenReturnsOnlyAfterTheConsumerTookIt() async {
        let queue = HandoffQueue<Int>(capacity: 1)
        let stream = queue.makeStream()
        let producer = Task { await queue.put(1, waitUntilTaken: true) }
        var it = stream.makeAsyncIterator()
        #expect(await it.next() == 1)
        #expect(await producer.value == true)
    }

    @Test func finishWithdrawsUntakenElementsAndEndsTheStream() async throws {
        let queue = HandoffQueue<Int>(capacity: 4)
        #expect(await queue.put(1) == true)
        let waiting = Task { await queue.put(2, waitUntilTaken: true) }
        try await eventually("the second put to wait for the consumer") { queue.waitingPutCount == 1 }
        queue.finish()
        #expect(await waiting.value == false)
        var it = queue.makeStream().makeAsyncIterator()
        #expect(await it.next() == 1)  // buffered, already handed off
        #expect(await it.next() == nil)
        #expect(await queue.put(3) == false)
    }

    @Test func cancelledPutReturnsFalse() async {
        let queue = HandoffQueue<Int>(capacity: 1)
        let t = Task { await queue.put(1, waitUntilTaken: true) }
        t.cancel()
        #expect(await t.value == false)
    }
}
