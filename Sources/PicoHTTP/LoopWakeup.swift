import CCurl
import Glibc
import Synchronization

/// Interrupts the network loop's `poll` from any thread: an `eventfd` the loop polls with its sockets. Signals
/// coalesce: after the first since the loop last looked, `signal()` makes no system call until `acknowledge()`.
final class LoopWakeup: Sendable {
    /// The descriptor the loop polls for `POLLIN`.
    let fd: Int32
    private let pending = Atomic<Bool>(false)

    init() {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(fd >= 0, "cannot create the network loop's eventfd (errno \(errno))")
    }

    /// Makes the loop's current or next `poll` return. Call after publishing the work it should see.
    func signal() {
        guard !pending.exchange(true, ordering: .sequentiallyConsistent) else { return }
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Called by the loop when `fd` was readable, before it looks for work: resets the descriptor and lets the next
    /// `signal()` write again.
    func acknowledge() {
        var count: UInt64 = 0
        _ = read(fd, &count, 8)
        pending.store(false, ordering: .sequentiallyConsistent)
    }
}
