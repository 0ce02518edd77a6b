import Glibc
import PicoFakes
import Testing

/// The real gateway between a fake Telegram and a fake OpenAI-compatible model that answers "re: <text>", started
/// and ready: the set-up of the black-box tests that talk to the gateway over Telegram. Answers a test scripts
/// (`llm.enqueue`) come before the echo, and a test may set its own responder.
struct EchoTelegramScene {
    let llm: FakeOpenAI
    let telegram: FakeTelegram
    let run: GatewayRun

    /// Starts both fakes and the gateway (`picoclaw gateway <arguments>` with `environment` added, as `uid` when
    /// given), with Telegram users `users` allowed and the model answering `<replyPrefix><text>`, and waits for
    /// `/ready`.
    static func start(
        allowing users: [Int] = [4242], replyPrefix: String = "re: ", environment: [String: String] = [:],
        arguments: [String] = [], as uid: uid_t? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> EchoTelegramScene {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        llm.setResponder { request in .text(replyPrefix + (request.lastUserText ?? "")) }
        let run = GatewayRun()
        run.useLLM(llm)
        run.useTelegram(telegram, allowFrom: users)
        run.environment.merge(environment) { $1 }  // the test's settings win (e.g. another model)
        if let uid { run.runAs(uid) }
        #expect(run.start(arguments, sourceLocation: sourceLocation), sourceLocation: sourceLocation)
        #expect(
            await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)", sourceLocation: sourceLocation)
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
