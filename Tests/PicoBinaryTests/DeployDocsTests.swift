import Glibc
import PicoFakes
import Testing

/// Docs/deploy.md's snippets do what they claim: nginx keeps its headers on error answers, the backup never
/// leaves a plaintext archive and its `gpg --batch` runs without a terminal.
@Suite("deploy docs: nginx and backup snippets", .serialized)
struct DeployDocsTests {
    static let doc = BinaryDeploy.artifact("deploy.md") ?? ""

    /// The fenced blocks of `section` (a `## ` heading), in order.
    static func blocks(in section: String) -> [String] {
        guard let start = doc.firstRange(of: "## \(section)\n") else { return [] }
        let rest = doc[start.upperBound...]
        let body = rest.firstRange(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        return body.split(separator: "```", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test func nginxAddsSecurityHeadersToErrorAnswersToo() throws {
        let nginx = try #require(Self.blocks(in: "Reverse proxy").first { $0.hasPrefix("nginx") })
        let headers = nginx.split(separator: "\n").map { $0.drop { $0 == " " } }.filter { $0.hasPrefix("add_header") }
        #expect(headers.count >= 2)
        for line in headers { #expect(line.hasSuffix(" always;"), "\(line)") }
        #expect(nginx.contains("proxy_pass http://127.0.0.1:18790;"))
    }

    @Test func backupStreamsIntoGpgAndNeverWritesAPlaintextArchive() throws {
        let block = try #require(Self.blocks(in: "Backup and restore").first)
        #expect(block.contains("umask 077"))
        for line in block.split(separator: "\n") where line.contains("tar ") && line.contains(" -cz") {
            #expect(line.contains("-czpf - "), "tar must write to stdout, not a file: \(line)")
        }
        #expect(!block.contains("shred"), "a plaintext archive is never written, so nothing needs shredding")
        #expect(block.contains("gpg --batch"))
    }

    @Test(
        "the documented symmetric gpg --batch line works without a terminal and leaves only a private .gpg",
        .enabled(if: Subprocess.which("gpg") != nil && Subprocess.which("setsid") != nil, "gpg or setsid missing"))
    func gpgBatchWithoutATerminal() async throws {
        let block = try #require(Self.blocks(in: "Backup and restore").first)
        let documented = try #require(
            block.split(separator: "\n").first { $0.contains("--symmetric") && $0.contains("--batch") })
        let gpgOptions = try #require(documented.firstRange(of: "gpg --batch")).lowerBound
        let command = String(documented[gpgOptions...])
            .replacing("/root/.backup-pass", with: "pass").replacing("FILE.gpg", with: "backup.tar.gz.gpg")
        let dir = TempDir("picoclaw-backup")
        dir.mkdir("gnupg", mode: 0o700)
        dir.mkdir("src/etc", mode: 0o700)
        dir.write("src/etc/secrets.env", "PICOCLAW_CHANNELS_TELEGRAM_TOKEN=123:SECRET\n")
        dir.write("pass", "correct horse battery staple\n")
        let script =
            "umask 077; tar -czpf - -C src . | \(command) && gpg --batch --pinentry-mode loopback --passphrase-file pass --decrypt backup.tar.gz.gpg | tar -tzf -"
        let outcome = await Subprocess.run(
            [Subprocess.which("setsid")!, "/bin/sh", "-c", "cd '\(dir.path)' && \(script)"],
            environment: ["PATH": "/usr/bin:/bin", "GNUPGHOME": dir.at("gnupg")], timeout: 60)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("./etc/secrets.env"))
        #expect(dir.mode("backup.tar.gz.gpg") == 0o600)
        #expect(dir.read("backup.tar.gz.gpg")?.contains("SECRET") == false)
    }
}
