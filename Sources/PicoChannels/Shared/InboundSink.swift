/// A channel position to record together with the messages before it (Telegram's next `getUpdates` offset,
/// Discord's last seen message id per channel).
public struct ChannelCursor: Sendable, Equatable {
    /// The cursor's name (`telegram.offset`, `discord.channel.<id>`).
    public var name: String
    /// Its value.
    public var value: String

    /// Creates a cursor.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Where a channel hands accepted messages when the gateway records them durably (its inbox).
///
/// A channel calls ``accept(_:cursor:)`` with every allowed message of a batch and the cursor that moves past
/// them; only after it returned does the channel confirm the batch to the platform. When it throws (a full
/// disk), nothing was recorded: the channel keeps its old position and asks the platform again later, so
/// nothing accepted is ever lost. Re-deliveries are harmless: the sink ignores messages it already recorded.
public protocol InboundSink: Sendable {
    /// Records `messages` and `cursor` in one durable step.
    func accept(_ messages: [InboundMessage], cursor: ChannelCursor?) async throws
    /// A recorded cursor (`nil` when never recorded or unreadable).
    func cursor(_ name: String) async -> String?
    /// Recorded cursors whose name starts with `prefix`, updated within the last `maxAge`, newest first.
    func cursors(prefix: String, maxAge: Duration) async -> [ChannelCursor]
}
