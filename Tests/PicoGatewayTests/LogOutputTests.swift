import Glibc
import PicoConfig
import PicoFakes
@testable import PicoGateway
import Testing

/// `LogOutput`: the checklist's logrotate snippet has no `postrotate` and no `copytruncate`: the gateway itself notices that its
/// log file was renamed away and writes to the new one. And the log path never follows a symlink.
/// (The file is written by its own thread: `flush()` waits for each line to be on disk.)
@Suite("log output: rotation and symlinks", .serialized)
struct LogOutputTests {
    @Test func renamedLogFileIsNoticedAndReopenedWithoutASignal() throws {
        let dir = TempDir("picoclaw-logrotate")
        let path = dir.at("picoclaw.log")
        let output = try LogOutput(filePath: path, redactor: SecretRedactor(secretValues: []), writeToStderr: false)
        output.write("before rotation")
        #expect(output.flush())
        // logrotate with `create`: rename, then a new empty file with the same name.
        #expect(rename(path, path + ".1") == 0)
        _ = TempDir.writeFile(path, "", mode: 0o640)
        output.write("after rotation")
        #expect(output.flush())
        #expect(dir.read("picoclaw.log.1") == "before rotation\n")
        #expect(dir.read("picoclaw.log") == "after rotation\n")
        // Without `create` (or after `rm`): the file is created again.
        #expect(rename(path, path + ".2") == 0)
        output.write("after the second rotation")
        #expect(output.flush())
        #expect(dir.read("picoclaw.log.2") == "after rotation\n")
        #expect(dir.read("picoclaw.log") == "after the second rotation\n")
        // SIGHUP's path still works.
        #expect(output.reopen())
        output.write("after reopen")
        #expect(output.flush())
        #expect(dir.read("picoclaw.log") == "after the second rotation\nafter reopen\n")
    }

    @Test func symlinksAnywhereInTheLogPathAreRefused() throws {
        let dir = TempDir("picoclaw-logsymlink")
        dir.mkdir("real")
        dir.mkdir("elsewhere")
        #expect(symlink(dir.at("real"), dir.at("linkdir")) == 0)
        #expect(symlink(dir.at("elsewhere/target.log"), dir.at("real/link.log")) == 0)
        let redactor = SecretRedactor(secretValues: [])
        #expect(throws: LogFileError.self) {
            _ = try LogOutput(filePath: dir.at("linkdir/picoclaw.log"), redactor: redactor)
        }
        #expect(throws: LogFileError.self) { _ = try LogOutput(filePath: dir.at("real/link.log"), redactor: redactor) }
        #expect(access(dir.at("elsewhere/target.log"), F_OK) != 0, "a symlinked log path was followed")
        #expect(access(dir.at("real/picoclaw.log"), F_OK) != 0)
        // A symlink put in place of the log file after a rotation is not followed either.
        let output = try LogOutput(filePath: dir.at("real/p.log"), redactor: redactor, writeToStderr: false)
        output.write("one")
        #expect(output.flush())
        #expect(rename(dir.at("real/p.log"), dir.at("real/p.log.1")) == 0)
        #expect(symlink(dir.at("elsewhere/stolen.log"), dir.at("real/p.log")) == 0)
        output.write("two")
        #expect(output.flush())
        #expect(access(dir.at("elsewhere/stolen.log"), F_OK) != 0, "the rotated log followed a planted symlink")
    }
}
