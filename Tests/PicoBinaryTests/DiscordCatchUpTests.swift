import Glibc
import PicoFakes
import PicoHTTP
import Testing

/// Discord does not replay what was sent while no session was open: after an outage the gateway fetches the
/// missed messages since the last recorded id (REST), answers each once, in order.
@Suite("discord catch-up", .serialized)
struct DiscordCatchUpTests {
    @Test func aTenSecondOutageLosesNoMessage() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        llm.setResponder { request in .text("re: \(request.lastUserText ?? "")") }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        func post(_ channel: String, guild: String?, _ text: String) {
            discord.dispatchMessageCreate(
                channelId: channel, guildId: guild, authorId: "555000111", username: "owner",
                bot: false, content: text, mentionsBot: guild != nil)
        }
        post("777", guild: nil, "before dm")
        post("888", guild: "444", "before guild")
        try await run.waitForTurnsDone(2)

        discord.beginOutage()
        for i in 1...3 {
            post("777", guild: nil, "during dm \(i)")
            post("888", guild: "444", "during guild \(i)")
        }
        try await Task.sleep(for: .seconds(10))  // the outage itself, not a synchronisation
        discord.endOutage()
        try await run.waitForTurnsDone(8, timeout: .seconds(60))
        // Slow turns show a placeholder first: the replies are what stays. Counted again after the stop below.
        let sent = discord.keptMessages
        let dm = sent.filter { $0.channelId == "777" }.map(\.content)
        let guild = sent.filter { $0.channelId == "888" }.map(\.content)
        #expect(dm == ["re: before dm", "re: during dm 1", "re: during dm 2", "re: during dm 3"])
        #expect(guild == ["re: before guild", "re: during guild 1", "re: during guild 2", "re: during guild 3"])
        // Guild replies still thread to the question (the guild id survived the REST fetch).
        #expect(sent.filter { $0.channelId == "888" }.allSatisfy { $0.replyToMessageId != nil })
        #expect(await run.waitForLog("caught up on 6 message(s)"))
        #expect(await run.stop() == 0)
        #expect(discord.keptMessages.count == 8, "each message answered once: \(discord.keptMessages.map(\.content))")
        run.expectNoSecrets()
    }
}
