/// Errors a channel reports. Descriptions never contain tokens, URLs or message text.
public enum ChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration cannot work (for example an empty token); the message says what to fix.
    case invalidConfiguration(String)
    /// The platform rejected the bot token (fatal; the channel does not retry).
    case authenticationFailed(String)
    /// Any other fatal condition reported by the platform (for example Discord close codes 4010–4014).
    case fatal(String)
    /// A reply could not be delivered after `attempts` attempts.
    case deliveryFailed(chatID: String, attempts: Int, reason: String)
    /// The channel was stopped.
    case stopped

    public var description: String {
        switch self {
        case .invalidConfiguration(let m), .authenticationFailed(let m), .fatal(let m): return m
        case .deliveryFailed(let chat, let attempts, let reason):
            return "failed to deliver reply to chat \(chat) after \(attempts) attempts: \(reason)"
        case .stopped: return "the channel is stopped"
        }
    }
}
