import Logging
import PicoConfig

extension TelegramOptions {
    /// Options from `channels.telegram` (the token is revealed here, once, to build request URLs).
    public init(_ config: TelegramConfig, logger: Logger = Logger(label: "picoclaw.channels.telegram")) {
        self.init(
            token: config.token.reveal(), allowFrom: config.allowFrom + config.owners, mentionOnly: config.mentionOnly,
            baseURL: config.baseURL, proxy: config.proxy, stateFile: config.stateFile, logger: logger)
        dmPairing = config.dmPolicy == .pairing
    }
}

extension DiscordOptions {
    /// Options from `channels.discord`.
    public init(_ config: DiscordConfig, logger: Logger = Logger(label: "picoclaw.channels.discord")) {
        self.init(
            token: config.token.reveal(), allowFrom: config.allowFrom + config.owners, mentionOnly: config.mentionOnly,
            apiBase: config.apiBase, proxy: config.proxy, logger: logger)
        dmPairing = config.dmPolicy == .pairing
    }
}

extension TelegramChannel {
    /// The channel for `channels.telegram`.
    public convenience init(_ config: TelegramConfig, logger: Logger = Logger(label: "picoclaw.channels.telegram")) {
        self.init(options: TelegramOptions(config, logger: logger))
    }
}

extension DiscordChannel {
    /// The channel for `channels.discord`.
    public convenience init(_ config: DiscordConfig, logger: Logger = Logger(label: "picoclaw.channels.discord")) {
        self.init(options: DiscordOptions(config, logger: logger))
    }
}
