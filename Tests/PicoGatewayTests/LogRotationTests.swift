import Glibc
import PicoConfig
import PicoFakes
@testable import PicoGateway
import Testing

/// The checklist's logrotate snippet has no `postrotate` and no `copytruncate`: the gateway itself notices that its
/// log file was renamed away and writes to the new one. And the log path never follows a symlink.
@Suite("log file rotation", .serialized)
struct LogRotationTests {
    @Test func renamedLogFileIsNoticedAndReopenedWithoutASignal() throws {
        let dir = BinaryTempDir(prefix: "picoclaw-logrotate")
        let path = dir.at("picoclaw.log")
        let output = try LogOutput(filePath: path, redactor: SecretRedactor(secretValues: []), writeToStderr: false)
        output.write("before rotation")
        // logrotate with `create`: rename, then a new empty file with the same name.
        #expect(rename(path, path + ".1") == 0)
        _ = BinaryTempDir.writeFile(path, "", mode: 0o640)
        output.write("after rotation")
        #expect(dir.read("picoclaw.log.1") == "before rotation\n")
        #expect(dir.read("picoclaw.log") == "after rotation\n")
        // Without `create` (or after `rm`): the file is created again.
        #expect(rename(path, path + ".2") == 0)
        output.write("after the second rotation")
        #expect(dir.read("picoclaw.log.2") == "after rotation\n")
        #expect(dir.read("picoclaw.log") == "after the second rotation\n")
        // SIGHUP's path still works.
        #expect(output.reopen())
        output.write("after reopen")
        #expect(dir.read("picoclaw.log") == "after the second rotation\nafter reopen\n")
    }

    @Test func symlinksAnywhereInTheLogPathAreRefused() throws {
        let dir = BinaryTempDir(prefix: "picoclaw-logsymlink")
        dir.mkdir("real")
        dir.mkdir("elsewhere")
        #expect(symlink(dir.at("real"), dir.at("linkdir")) == 0)
        #expect(symlink(dir.at("elsewhere/target.log"), dir.at("real/link.log")) == 0)
        let redactor = SecretRedactor(secretValues: [])
        #expect(throws: LogFileError.self) { _ = try LogOutput(filePath: dir.at("linkdir/picoclaw.log"), redactor: redactor) }
        #expect(throws: LogFileError.self) { _ = try LogOutput(filePath: dir.at("real/link.log"), redactor: redactor) }
        #expect(access(dir.at("elsewhere/target.log"), F_OK) != 0, "a symlinked log path was followed")
        #expect(access(dir.at("real/picoclaw.log"), F_OK) != 0)
        // A symlink put in place of the log file after a rotation is not followed either.
        let output = try LogOutput(filePath: dir.at("real/p.log"), redactor: redactor, writeToStderr: false)
        output.write("one")
        #expect(rename(dir.at("real/p.log"), dir.at("real/p.log.1")) == 0)
        #expect(symlink(dir.at("elsewhere/stolen.log"), dir.at("real/p.log")) == 0)
        output.write("two")
        #expect(access(dir.at("elsewhere/stolen.log"), F_OK) != 0, "the rotated log followed a planted symlink")
    }

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
        _ = BinaryTempDir.writeFile(logFile, "", mode: 0o640)
        telegram.enqueueTextMessage(from: 999_123, username: "stranger", text: "hi")
        var found = false
        for _ in 0..<400 {
            if BinaryTempDir.readFile(logFile)?.contains("999123") == true { found = true; break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(found, "the new log file stayed empty: \(BinaryTempDir.readFile(logFile) ?? "")")
        #expect(BinaryTempDir.readFile(logFile + ".1")?.contains("999123") == false)
        #expect(await run.stop() == 0)
        await telegram.stop()
    }
}
