import Logging

/// Everything the Discord channel needs. Build it from PicoConfig with `DiscordOptions(_:logger:)`.
public struct DiscordOptions: Sendable {
    /// The bot token (sent as `Authorization: Bot <token>` and in IDENTIFY; never logged).
    public var token: String
    /// `allow_from` entries (see `Allowlist`).
    public var allowFrom: [String]
    /// In guilds, accept only messages that mention the bot (DMs are always considered).
    public var mentionOnly: Bool
    /// REST base URL (default `https://discord.com/api/v10`; trailing `/` ignored).
    public var apiBase: String
    /// Proxy URL for REST and the gateway (`nil`: libcurl's `*_proxy` environment).
    public var proxy: String?
    /// Gateway intents (default GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT).
    public var intents: Int
    /// Per-channel outbound limit on top of Discord's rate-limit headers.
    public var perChannelRate: RateLimit
    /// Interval of `POST /channels/{id}/typing` while the agent works (Discord shows typing for ~10 s).
    public var typingInterval: Duration
    /// The first typing request waits this long (scaled by `timing`), so a reply ready sooner costs no request.
    public var typingDelay: Duration = .milliseconds(300)
    /// Inbound messages buffered for the consumer before the gateway read loop waits.
    public var inboundBuffer: Int
    /// Backoff, retry and scale settings (the scale also applies to rate-limit waits and the INVALID_SESSION
    /// pause; the heartbeat interval always comes from HELLO).
    public var timing: ChannelTiming
    /// Reply previews: a placeholder message edited while the reply is written (see ``PreviewTiming``).
    public var preview = PreviewTiming()
    /// Hosts attachments are downloaded from (over HTTPS); the host of `apiBase` is allowed too, with its scheme.
    public var attachmentHosts = ["cdn.discordapp.com", "media.discordapp.net"]
    /// Where logs go.
    public var logger: Logger
    /// The gateway's durable inbox. When set, each accepted message is recorded there with the channel's last
    /// seen message id (cursor `discord.channel.<id>`), and after a session could not be resumed the channel
    /// fetches what it missed since those ids. When `nil`, messages go to `inbound`.
    public var sink: (any InboundSink)?
    /// `dm_policy: pairing`: pass strangers' direct messages on as ``InboundMessage/pairingCandidate``.
    public var dmPairing = false
    /// Called once per message refused by the allowlist (metrics).
    public var onRefused: (@Sendable () -> Void)?
    /// Receives button presses (`INTERACTION_CREATE` of message components).
    public var onButton: (@Sendable (ButtonPress) -> Void)?
    /// Catch-up bounds: channels with activity within `catchUpMaxAge`, at most `catchUpLimit` messages each.
    public var catchUpMaxAge: Duration = .seconds(24 * 3600)
    /// See ``catchUpMaxAge``.
    public var catchUpLimit = 50

    /// GUILD_MESSAGES (1<<9) | DIRECT_MESSAGES (1<<12) | MESSAGE_CONTENT (1<<15).
    public static let defaultIntents = (1 << 9) | (1 << 12) | (1 << 15)

    /// Creates options; only `token` is required.
    public init(
        token: String, allowFrom: [String] = [], mentionOnly: Bool = false,
        apiBase: String = "https://discord.com/api/v10", proxy: String? = nil,
        intents: Int = DiscordOptions.defaultIntents,
        perChannelRate: RateLimit = RateLimit(perSecond: 1, burst: 3),
        typingInterval: Duration = .seconds(8), inboundBuffer: Int = 256,
        timing: ChannelTiming = .standard, logger: Logger = Logger(label: "picoclaw.channels.discord")
    ) {
        self.token = token
        self.allowFrom = allowFrom
        self.mentionOnly = mentionOnly
        self.apiBase = apiBase
        self.proxy = proxy
        self.intents = intents
        self.perChannelRate = perChannelRate
        self.typingInterval = typingInterval
        self.inboundBuffer = inboundBuffer
        self.timing = timing
        self.logger = logger
    }
}
