/// A chat platform adapter (Telegram, Discord). The gateway starts it, reads `inbound`, and answers
/// through `send(_:to:)`.
///
/// Lifecycle: `start()` returns once the first connection succeeded, or throws a `ChannelError` for a fatal
/// configuration problem (a rejected token). Afterwards the channel keeps itself alive in a background task,
/// reconnecting with capped backoff, and reports how it is doing through `state`. A channel is started once;
/// after `stop()` the `inbound` stream ends and a new instance is needed.
public protocol Channel: Sendable {
    /// The platform name (`"telegram"`, `"discord"`); also `InboundMessage.channel`.
    var name: String { get }
    /// Connects (validating the token) and starts receiving. See the protocol documentation.
    func start() async throws
    /// Stops receiving, ends `inbound` and cancels typing indicators. Idempotent.
    func stop() async
    /// Messages from allowed senders, in arrival order. Single consumer.
    var inbound: AsyncStream<InboundMessage> { get }
    /// Sends a reply, split into platform-sized chunks, with rate limiting and retries.
    /// Throws `ChannelError.deliveryFailed` after the last attempt failed (and logs it with the chat id).
    func send(_ text: String, to target: ReplyTarget) async throws
    /// Shows "typing…" in the chat until the handle is stopped (or a safety limit of 5 minutes passes).
    /// Returns `nil` when the channel is stopped.
    func startTyping(_ target: ReplyTarget) -> TypingHandle?
    /// The connection state (for `/ready`).
    var state: ChannelState { get async }
    /// Returns once ``state`` differs from `seen` (at once when it already does), or when the task is cancelled.
    func stateChange(after seen: ChannelState) async
}

extension Channel {
    /// For channels that cannot report changes: looks again after a while (50 ms while connecting, so `/ready`
    /// turns 200 promptly; 2 s otherwise).
    public func stateChange(after seen: ChannelState) async {
        while !Task.isCancelled, await state == seen {
            try? await Task.sleep(for: .milliseconds(seen == .connecting ? 50 : 2000))
        }
    }
}

/// How a channel's connection is doing.
public enum ChannelState: Sendable, Equatable, CustomStringConvertible {
    /// Not started, or stopped.
    case stopped
    /// Connecting or reconnecting (transient failures are retried forever with capped backoff).
    case connecting
    /// Receiving messages.
    case connected
    /// Gave up because of a fatal error (for example a rejected bot token); the reason says what to fix.
    case failed(String)

    public var description: String {
        switch self {
        case .stopped: return "stopped"
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .failed(let reason): return "failed: \(reason)"
        }
    }

    /// Whether the channel is receiving messages.
    public var isConnected: Bool { self == .connected }
}
