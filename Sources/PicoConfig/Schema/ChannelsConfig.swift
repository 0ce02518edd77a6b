/// `channels`.
public struct ChannelsConfig: Sendable, Equatable {
    /// `channels.telegram`.
    public let telegram: TelegramConfig
    /// `channels.discord`.
    public let discord: DiscordConfig

    /// Creates the section.
    public init(telegram: TelegramConfig = TelegramConfig(), discord: DiscordConfig = DiscordConfig()) {
        self.telegram = telegram
        self.discord = discord
    }
}

/// `channels.telegram`.
public struct TelegramConfig: Sendable, Equatable {
    /// `enabled` (default false).
    public let enabled: Bool
    /// `token`.
    public let token: Secret
    /// `allow_from`: user ids (JSON numbers are stored as their decimal text) or usernames. Empty = nobody
    /// is restricted (the channel decides how to treat that).
    public let allowFrom: [String]
    /// `proxy`.
    public let proxy: String?
    /// `mention_only` (default false).
    public let mentionOnly: Bool
    /// `base_url` (default `https://api.telegram.org`).
    public let baseURL: String
    /// `state_file`: where the update offset is persisted. After loading it is
    /// `$PICOCLAW_HOME/state/telegram-offset` unless configured; `nil` when configured as `""` (disabled).
    public let stateFile: String?
    /// `dm_policy` (default `allowlist`).
    public let dmPolicy: DMPolicy
    /// `owners`: user ids (see ``ChannelOwners``).
    public let owners: [String]

    /// Creates the section.
    public init(
        enabled: Bool = false, token: Secret = .empty, allowFrom: [String] = [], proxy: String? = nil,
        mentionOnly: Bool = false, baseURL: String = "https://api.telegram.org", stateFile: String? = nil,
        dmPolicy: DMPolicy = .allowlist, owners: [String] = []
    ) {
        self.dmPolicy = dmPolicy
        self.owners = owners
        self.enabled = enabled
        self.token = token
        self.allowFrom = allowFrom
        self.proxy = proxy
        self.mentionOnly = mentionOnly
        self.baseURL = baseURL
        self.stateFile = stateFile
    }
}

/// `channels.discord`.
public struct DiscordConfig: Sendable, Equatable {
    /// `enabled` (default false).
    public let enabled: Bool
    /// `token`.
    public let token: Secret
    /// `allow_from`: user ids as strings.
    public let allowFrom: [String]
    /// `proxy`.
    public let proxy: String?
    /// `mention_only` (default false).
    public let mentionOnly: Bool
    /// `api_base` (default `https://discord.com/api/v10`).
    public let apiBase: String
    /// `dm_policy` (default `allowlist`).
    public let dmPolicy: DMPolicy
    /// `owners`: user ids (see ``ChannelOwners``).
    public let owners: [String]

    /// Creates the section.
    public init(
        enabled: Bool = false, token: Secret = .empty, allowFrom: [String] = [], proxy: String? = nil,
        mentionOnly: Bool = false, apiBase: String = "https://discord.com/api/v10",
        dmPolicy: DMPolicy = .allowlist, owners: [String] = []
    ) {
        self.dmPolicy = dmPolicy
        self.owners = owners
        self.enabled = enabled
        self.token = token
        self.allowFrom = allowFrom
        self.proxy = proxy
        self.mentionOnly = mentionOnly
        self.apiBase = apiBase
    }
}

extension TelegramConfig {
    /// The owner ids (``ChannelOwners``).
    public var ownerIDs: [String] { ChannelOwners.resolve(owners: owners, allowFrom: allowFrom, platform: "telegram") }
}

extension DiscordConfig {
    /// The owner ids (``ChannelOwners``).
    public var ownerIDs: [String] { ChannelOwners.resolve(owners: owners, allowFrom: allowFrom, platform: "discord") }
}
