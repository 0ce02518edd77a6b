@testable import PicoChannels
import Testing

@Suite("Discord close codes")
struct DiscordCloseCodeTests {
    @Test func classification() {
        #expect(
            DiscordCloseAction.forCloseCode(4004)
                == .fatal("Discord rejected the bot token (close 4004). Check channels.discord.token"))
        for code in 4010...4014 {
            guard case .fatal = DiscordCloseAction.forCloseCode(code) else {
                Issue.record("\(code) not fatal"); continue
            }
        }
        #expect(DiscordCloseAction.forCloseCode(4007) == .reidentify)
        #expect(DiscordCloseAction.forCloseCode(4009) == .reidentify)
        for code in [nil, 1000, 1001, 1006, 4000, 4001, 4002, 4003, 4005, 4008] {
            #expect(DiscordCloseAction.forCloseCode(code) == .resume)
        }
    }

    @Test func gatewayURLGetsVersionAndEncoding() {
        #expect(DiscordChannel.gatewayURL("wss://gateway.discord.gg") == "wss://gateway.discord.gg/?v=10&encoding=json")
        #expect(DiscordChannel.gatewayURL("wss://g.example/?v=9") == "wss://g.example/?v=10&encoding=json")
    }
}
