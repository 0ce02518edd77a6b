#if canImport(Glibc)
import Glibc
#endif
import Logging
@testable import PicoChannels
import PicoFakes
import Synchronization
import Testing

/// Fast timing for tests: every backoff and server-requested wait shrinks 1000×.
let fastTiming = ChannelTiming(scale: 0.001)

/// Takes the next inbound message, failing after `timeout` (stretched by ``Patience``).
func nextMessage(
    _ iterator: inout AsyncStream<InboundMessage>.Iterator, timeout: Duration = .seconds(5)
) async throws -> InboundMessage {
    let box = IteratorBox(iterator)
    let result = try await withThrowingTaskGroup(of: InboundMessage?.self) { group in
        group.addTask { await box.next() }
        group.addTask {
            try await Task.sleep(for: Patience.bound(timeout))
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
    iterator = box.iterator
    guard let result else { throw TestTimeout("no inbound message within \(Patience.bound(timeout))") }
    return result
}

struct TestTimeout: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Lets a child task advance an iterator that the caller owns.
final class IteratorBox: @unchecked Sendable {
    var iterator: AsyncStream<InboundMessage>.Iterator
    init(_ iterator: AsyncStream<InboundMessage>.Iterator) { self.iterator = iterator }
    func next() async -> InboundMessage? { await iterator.next() }
}
