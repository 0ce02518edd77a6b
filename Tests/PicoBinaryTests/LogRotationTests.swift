import Glibc
import PicoFakes
import Testing

/// The checklist's logrotate snippet has no `postrotate` and no `copytruncate`: the gateway itself notices that its
/// log file was renamed away and writes to the new one. And the log path never follows a symlink.
@Suite("log file rotation, real binary", .serialized)
struct LogRotationTests {
    @Test func gatewayWritesToTheNewFileAfterRotationWithoutSIGHUP() async throws {
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        let run = GatewayRun()
        let logFile = run.dir.at("logs/picoclaw.log")
        run.dir.mkdir("logs")
        run.environment["PICOCLAW_GATEWAY_LOG_FILE"] = logFile
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitForLog("telegram: connected"), "not connected: \(run.log)")
        #expect(rename(logFile, logFile + ".1") == 0)
        _ = TempDir.writeFile(logFile, "", mode: 0o640)
        telegram.enqueueTextMessage(from: 999_123, username: "stranger", text: "hi")
        let found =
            (try? await eventually("the new log file to name the stranger", timeout: .seconds(10)) {
                TempDir.readFile(logFile)?.contains("999123") == true
            }) != nil
        #expect(found, "the new log file stayed empty: \(TempDir.readFile(logFile) ?? "")")
        #expect(TempDir.readFile(logFile + ".1")?.contains("999123") == false)
        #expect(await run.stop() == 0)
        await telegram.stop()
    }
}
