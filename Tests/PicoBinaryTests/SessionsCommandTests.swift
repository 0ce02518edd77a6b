import Glibc
import PicoFakes
import Testing

/// `picoclaw sessions list | show | export | clear` against the state store a real gateway wrote.
@Suite("sessions command", .serialized)
struct SessionsCommandTests {
    @Test func listShowExportAndClearRedacted() async throws {
        let scene = try await EchoTelegramScene.start(replyPrefix: "noted: ")
        defer { Task { await scene.stopFakes() } }
        let (telegram, run) = (scene.telegram, scene.run)
        telegram.enqueueTextMessage(from: 4242, text: "my key is \(GatewayRun.apiKey) keep it")
        _ = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(await run.stop() == 0)
        let binary = try #require(PicoclawBinary.path())
        func cli(_ args: [String]) async -> SubprocessOutcome {
            await Subprocess.run([binary, "sessions"] + args, environment: run.environment)
        }
        let key = "agent:main:telegram:direct:4242"
        let list = await cli(["list"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(key) && list.stdout.contains("messages=2"), "\(list.stdout)")
        let show = await cli(["show", key])
        #expect(show.status == 0)
        #expect(show.stdout.contains("user: my key is"), "\(show.stdout)")
        #expect(show.stdout.contains("assistant: noted:"))
        let export = await cli(["export", key])
        #expect(export.stdout.split(separator: "\n").count == 2)
        for out in [list.stdout, show.stdout, export.stdout, show.stderr] {
            #expect(!out.contains(GatewayRun.apiKey), "a secret reached the sessions output")
        }
        #expect(await cli(["clear", key]).status == 0)
        #expect(await cli(["show", key]).status == 1)
        let missing = await cli(["clear", key])
        #expect(missing.status == 1 && missing.stderr.contains("no session"))
    }
}
