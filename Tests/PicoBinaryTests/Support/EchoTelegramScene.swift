import PicoFakes
import Testing

/// The real gateway between a fake Telegram and a fake OpenAI-compatible model that answers "re: <text>", started
/// and ready: the set-up of the black-box tests that count replies and read `/metrics`.
struct EchoTelegramScene {
    let llm: FakeOpenAI
    let telegram: FakeTelegram
    let run: GatewayRun

    /// Starts both fakes and the gateway (`picoclaw gateway <arguments>`), with Telegram user `user` allowed, and
    /// waits for `/ready`.
    static func start(allowing user: Int = 4242, arguments: [String] = []) async throws -> EchoTelegramScene {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        llm.setResponder { request in .text("re: \(request.lastUserText ?? "")") }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: [user])
        #expect(run.start(arguments))
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        return EchoTelegramScene(llm: llm, telegram: telegram, run: run)
    }

    /// Stops the fakes; the test stops the gateway itself, to check how it exits.
    func stopFakes() async {
        await llm.stop()
        await telegram.stop()
    }
}

extension GatewayRun {
    /// The value of the counter or gauge `name` on the gateway's `/metrics`.
    func metric(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        let text = try #require(await get("/metrics"), sourceLocation: sourceLocation).text
        let line = try #require(
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(text)", sourceLocation: sourceLocation)
        return try #require(Int(line.split(separator: " ")[1]), "\(line)", sourceLocation: sourceLocation)
    }
}
