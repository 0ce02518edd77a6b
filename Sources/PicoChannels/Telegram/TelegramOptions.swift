import Logging

/// Everything the Telegram channel needs. Build it from PicoConfig with `TelegramOptions(_:logger:)`.
public struct TelegramOptions: Sendable {
    /// The bot token (`123456:ABC…`). It appears in Bot API URLs, so URLs are never logged.
    public var token: String
    /// `allow_from` entries (see `Allowlist`).
    public var allowFrom: [String]
    /// In groups, accept only messages that mention the bot or reply to it.
    public var mentionOnly: Bool
    /// Bot API base URL (default `https://api.telegram.org`; trailing `/` ignored).
    public var baseURL: String
    /// Proxy URL for every request (`nil`: libcurl's `*_proxy` environment).
    public var proxy: String?
    /// Where the update offset is persisted (`nil`: not persisted).
    public var stateFile: String?
    /// Long-poll timeout sent to `getUpdates` (30–50 s in production).
    public var pollTimeout: Duration
    /// Updates fetched per `getUpdates`.
    public var pollLimit: Int
    /// Global outbound limit (Telegram allows about 30/s per bot).
    public var globalRate: RateLimit
    /// Per-chat outbound limit (about 1/s per chat, with short bursts).
    public var perChatRate: RateLimit
    /// Interval of `sendChatAction typing` while the agent works.
    public var typingInterval: Duration
    /// The first `sendChatAction` waits this long (scaled by `timing`), so a reply ready sooner costs no request
    /// and shows no indicator that would only flash before the reply.
    public var typingDelay: Duration = .milliseconds(300)
    /// Backoff, retry and scale settings.
    public var timing: ChannelTiming
    /// Reply previews: drafts in private chats, an edited placeholder in groups (see ``PreviewTiming``).
    public var preview = PreviewTiming()
    /// Where logs go.
    public var logger: Logger
    /// The gateway's durable inbox. When set, each batch of accepted messages is recorded there together with
    /// the next offset (cursor `telegram.offset`) before Telegram is asked for more, and `stateFile` is only
    /// read once, to take over the offset of an earlier version. When `nil`, messages go to `inbound`.
    public var sink: (any InboundSink)?
    /// `dm_policy: pairing`: pass strangers' direct messages on as ``InboundMessage/pairingCandidate``.
    public var dmPairing = false
    /// Called once per message refused by the allowlist (metrics).
    public var onRefused: (@Sendable () -> Void)?
    /// Receives inline keyboard presses (`callback_query` updates are requested only when set).
    public var onButton: (@Sendable (ButtonPress) -> Void)?

    /// Creates options; only `token` is required.
    public init(
        token: String, allowFrom: [String] = [], mentionOnly: Bool = false,
        baseURL: String = "https://api.telegram.org", proxy: String? = nil, stateFile: String? = nil,
        pollTimeout: Duration = .seconds(30), pollLimit: Int = 50,
        globalRate: RateLimit = RateLimit(perSecond: 20, burst: 10),
        perChatRate: RateLimit = RateLimit(perSecond: 1, burst: 3),
        typingInterval: Duration = .seconds(4), timing: ChannelTiming = .standard,
        logger: Logger = Logger(label: "picoclaw.channels.telegram")
    ) {
        self.token = token
        self.allowFrom = allowFrom
        self.mentionOnly = mentionOnly
        self.baseURL = baseURL
        self.proxy = proxy
        self.stateFile = stateFile
        self.pollTimeout = pollTimeout
        self.pollLimit = pollLimit
        self.globalRate = globalRate
        self.perChatRate = perChatRate
        self.typingInterval = typingInterval
        self.timing = timing
        self.logger = logger
    }
}
