import PicoChannels
import Synchronization

/// The running channels by name, set once they are built (the owner notifier is created before them).
final class ChannelSlot: Sendable {
    private let byName = Mutex([String: any Channel]())

    /// Records the channels.
    func set(_ channels: [any Channel]) {
        byName.withLock { map in for c in channels { map[c.name] = c } }
    }

    /// The channel named `name`, if running.
    func channel(_ name: String) -> (any Channel)? { byName.withLock { $0[name] } }
}
