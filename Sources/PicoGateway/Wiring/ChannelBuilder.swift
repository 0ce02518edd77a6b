import Logging
import PicoChannels
import PicoConfig
import PicoHTTP

/// Builds the enabled channels. An enabled channel without a token is a configuration error (exit 78);
/// a token the platform rejects is reported and retried by the supervisor.
enum ChannelBuilder {
    /// Every channel records its messages in `sink` (the gateway's inbox).
    static func build(
        config: PicoConfiguration, sink: any InboundSink, metrics: GatewayMetrics = GatewayMetrics(),
        onButton: (@Sendable (ButtonPress) -> Void)? = nil, logger: Logger
    ) throws(GatewayStartError) -> [any Channel] {
        var channels: [any Channel] = []
        let telegram = config.channels.telegram
        if telegram.enabled {
            guard !telegram.token.isEmpty else {
                throw GatewayStartError(
                    "channels.telegram.enabled is true but there is no token: set PICOCLAW_CHANNELS_TELEGRAM_TOKEN_FILE (or PICOCLAW_CHANNELS_TELEGRAM_TOKEN)",
                    exitCode: 78)
            }
            var options = TelegramOptions(telegram, logger: Logger(label: "telegram"))
            options.sink = sink
            options.onRefused = { metrics.add("picoclaw_messages_refused_total", [("channel", "telegram")]) }
            options.onButton = onButton
            channels.append(TelegramChannel(options: options))
        }
        let discord = config.channels.discord
        if discord.enabled {
            guard !discord.token.isEmpty else {
                throw GatewayStartError(
                    "channels.discord.enabled is true but there is no token: set PICOCLAW_CHANNELS_DISCORD_TOKEN_FILE (or PICOCLAW_CHANNELS_DISCORD_TOKEN)",
                    exitCode: 78)
            }
            guard HTTPClient.supportsWebSockets else {
                throw GatewayStartError(
                    "the Discord channel needs libcurl >= 8 with WebSocket support, but this one is \(HTTPClient.libcurlVersion). Run scripts/setup (Debian 12: libcurl4-openssl-dev from bookworm-backports)",
                    exitCode: 78)
            }
            var options = DiscordOptions(discord, logger: Logger(label: "discord"))
            options.sink = sink
            options.onRefused = { metrics.add("picoclaw_messages_refused_total", [("channel", "discord")]) }
            options.onButton = onButton
            channels.append(DiscordChannel(options: options))
        }
        return channels
    }
}
