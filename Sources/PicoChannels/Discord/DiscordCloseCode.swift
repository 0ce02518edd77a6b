/// What to do after the gateway closed with a given code.
enum DiscordCloseAction: Equatable {
    /// Reconnect and RESUME the session.
    case resume
    /// Reconnect with a fresh IDENTIFY.
    case reidentify
    /// Stop: the configuration must be fixed (the message says how).
    case fatal(String)

    /// Classifies a close code (`nil` = the connection was lost without a close frame).
    static func forCloseCode(_ code: Int?) -> DiscordCloseAction {
        switch code {
        case 4004:
            return .fatal("Discord rejected the bot token (close 4004). Check channels.discord.token")
        case 4010:
            return .fatal("Discord rejected the shard configuration (close 4010: invalid shard)")
        case 4011:
            return .fatal("Discord requires sharding for this bot (close 4011: sharding required)")
        case 4012:
            return .fatal("Discord rejected the gateway API version (close 4012: invalid API version)")
        case 4013:
            return .fatal("Discord rejected the gateway intents (close 4013: invalid intents)")
        case 4014:
            return .fatal(
                "Discord refused the gateway intents (close 4014: disallowed intents: enable MESSAGE CONTENT INTENT in the developer portal, Bot → Privileged Gateway Intents)"
            )
        case 4007, 4009:
            return .reidentify  // invalid seq / session timed out
        default:
            return .resume
        }
    }
}
