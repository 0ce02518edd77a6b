import Glibc
import PicoFakes
import Testing

/// `picoclaw backup create | verify | restore` through the real binary, with a running gateway.
@Suite("backup", .serialized)
struct BackupTests {
    @Test func backupWipeRestoreAndTheGatewayResumesWithHistoryPairingsAndCursors() async throws {
        let (llm, telegram, run) = try await OwnerControlsTests.echoRun(
            ["PICOCLAW_CHANNELS_TELEGRAM_DM_POLICY": "pairing"], allowFrom: [4242])
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        // A secret in the config file: left out of the backup unless asked for.
        run.dir.write(
            "home/config.json", #"{"channels": {"telegram": {"token": "\#(GatewayRun.telegramToken)"}}}"#, mode: 0o600)
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        run.dir.write("home/workspace/notes.txt", "workspace file", mode: 0o600)

        telegram.enqueueTextMessage(from: 4242, username: "owner", text: "remember pineapple")
        _ = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        telegram.enqueueTextMessage(from: 5001, username: "stranger", text: "let me in")
        let coded = try await telegram.waitForSentMessages(count: 3, timeout: .seconds(10))
        let code = try #require(coded.first { $0.chatId == 5001 }.flatMap { OwnerControlsTests.code(in: $0.text) })
        #expect(await run.cli(["pairing", "approve", code])?.status == 0)

        // A consistent backup while the gateway runs; 0600; no secret inside.
        let backup = run.dir.at("backup.tar")
        let created = try #require(await run.cli(["backup", "create", "--output", backup]))
        #expect(created.status == 0, "\(created.stderr)")
        #expect(run.dir.mode("backup.tar") == 0o600)
        let archive = try #require(TempDir.readFile(backup))
        #expect(
            archive.contains("MANIFEST") && archive.contains("state/state.db") && archive.contains("workspace file"))
        #expect(!archive.contains(GatewayRun.telegramToken), "a secret is in a backup made without --include-secrets")
        #expect(await run.cli(["backup", "create", "--output", backup])?.status == 1)  // never overwritten
        let verified = try #require(await run.cli(["backup", "verify", backup]))
        #expect(verified.status == 0 && verified.stdout.hasPrefix("OK"), "\(verified.stderr)")
        #expect(await run.stop() == 0)
        let offsetBefore = telegram.getUpdatesCalls.compactMap(\.offset).max() ?? 0
        #expect(offsetBefore > 0)

        // Wipe the home, restore it, start again.
        TempDir.removeTree(run.home)
        run.dir.mkdir("home", mode: 0o700)
        run.dir.write("home/stray", "x")
        #expect(await run.cli(["backup", "restore", backup, "--to", run.home])?.status == 1)  // not empty: refused
        unlink(run.dir.at("home/stray"))
        let restored = try #require(await run.cli(["backup", "restore", backup, "--to", run.home]))
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(run.dir.read("home/workspace/notes.txt") == "workspace file")
        #expect(run.dir.mode("home/state/state.db") == 0o600)
        let callsBefore = telegram.getUpdatesCalls.count
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready after restore: \(run.log)")

        // Cursor: polling resumes where it stopped. History: the model sees the earlier turn. Pairing: kept.
        let resumed = try await telegram.waitForGetUpdatesCalls(count: callsBefore + 1)
        #expect((resumed[callsBefore].offset ?? 0) >= offsetBefore)
        telegram.enqueueTextMessage(from: 4242, username: "owner", text: "what did I say?")
        telegram.enqueueTextMessage(from: 5001, username: "stranger", text: "still paired?")
        let after = try await telegram.waitForSentMessages(count: 5, timeout: .seconds(10))
        #expect(after.contains { $0.chatId == 4242 && $0.text == "echo: what did I say?" })
        #expect(after.contains { $0.chatId == 5001 && $0.text == "echo: still paired?" })
        let historyRequest = try #require(llm.requests.last { $0.lastUserText == "what did I say?" })
        #expect(historyRequest.json.jsonString.contains("remember pineapple"))
        #expect(llm.requests.filter { $0.lastUserText == "remember pineapple" }.count == 1)  // not answered again
        #expect(await run.stop() == 0)
        run.expectNoSecrets(in: [created.stdout, restored.stdout])
    }

    @Test func tamperedOrTruncatedBackupsFailVerificationAndSecretsOnlyWhenAsked() async throws {
        let home = BinaryHome()
        home.config(#"{"channels": {"telegram": {"token": "123:SECRET-backup-token"}}, "gateway": {"pid_file": ""}}"#)
        home.dir.write("home/workspace/a.txt", String(repeating: "abc", count: 1000))
        let plain = home.dir.at("plain.tar"), full = home.dir.at("full.tar")
        #expect(await home.run(["backup", "create", "--output", plain])?.status == 0)
        #expect(await home.run(["backup", "create", "--output", full, "--include-secrets"])?.status == 0)
        #expect(TempDir.readFile(plain)?.contains("SECRET-backup-token") == false)
        #expect(TempDir.readFile(full)?.contains("SECRET-backup-token") == true)
        #expect(home.dir.mode("full.tar") == 0o600)

        // One changed byte in a file's content.
        var bytes = Array((TempDir.readFile(plain) ?? "").utf8)
        let at = try #require(
            bytes.indices.first { i in i + 3 <= bytes.count && bytes[i..<(i + 3)].elementsEqual("abc".utf8) })
        bytes[at] = UInt8(ascii: "X")
        home.dir.write("tampered.tar", String(decoding: bytes, as: UTF8.self))
        let tampered = try #require(await home.run(["backup", "verify", home.dir.at("tampered.tar")]))
        #expect(tampered.status == 1 && tampered.stderr.contains("SHA-256"), "\(tampered.stderr)")
        home.dir.write("short.tar", String(decoding: bytes.prefix(bytes.count / 2), as: UTF8.self))
        #expect(await home.run(["backup", "verify", home.dir.at("short.tar")])?.status == 1)
        #expect(
            await home.run(["backup", "restore", home.dir.at("tampered.tar"), "--to", home.dir.at("new")])?.status == 1)
        #expect(access(home.dir.at("new"), F_OK) != 0, "a damaged backup was partly restored")
    }

    @Test(
        "--output - streams a backup with secrets into gpg --batch: no plaintext on disk, and it verifies after decryption",
        .enabled(if: Subprocess.which("gpg") != nil && Subprocess.which("setsid") != nil, "gpg or setsid missing"))
    func streamedIntoGpg() async throws {
        let home = BinaryHome()
        home.config(#"{"channels": {"telegram": {"token": "123:SECRET-stream-token"}}, "gateway": {"pid_file": ""}}"#)
        home.dir.write("home/workspace/a.txt", "workspace file")
        home.dir.mkdir("gnupg", mode: 0o700)
        home.dir.write("pass", "correct horse battery staple\n", mode: 0o600)
        let binary = try #require(PicoclawBinary.path())
        let gpg = "gpg --batch --yes --pinentry-mode loopback --passphrase-file pass"
        let script =
            "set -o pipefail; cd '\(home.dir.path)' && umask 077 && '\(binary)' backup create --include-secrets "
            + "--output - | \(gpg) --symmetric -o b.tar.gpg && ls && \(gpg) --decrypt b.tar.gpg > b.tar"
        var env = home.environment
        env["GNUPGHOME"] = home.dir.at("gnupg")
        let outcome = await Subprocess.run([Subprocess.which("setsid")!, "/bin/bash", "-c", script], environment: env)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("wrote the backup to standard output"), "\(outcome.stderr)")
        // Before decryption the directory held only the encrypted archive: no plaintext copy was written.
        #expect(!outcome.stdout.split(separator: "\n").contains { $0.hasSuffix(".tar") }, "\(outcome.stdout)")
        #expect(home.dir.mode("b.tar.gpg") == 0o600)
        #expect(home.dir.read("b.tar.gpg")?.contains("SECRET-stream-token") == false)
        #expect(home.dir.read("b.tar")?.contains("SECRET-stream-token") == true)
        #expect(await home.run(["backup", "verify", home.dir.at("b.tar")])?.status == 0)
    }

    @Test func asAnUnprivilegedUserTheBackupIsPrivateAndHoldsNoSecretAndNoSymlinkTarget() async throws {
        let home = BinaryHome()
        home.config(#"{"channels": {"telegram": {"token": "123:SECRET-nobody-token"}}, "gateway": {"pid_file": ""}}"#)
        home.dir.write("home/workspace/ok.txt", "mine")
        home.dir.write("canary.txt", "CANARY-outside-the-workspace", mode: 0o644)
        symlink(home.dir.at("canary.txt"), home.dir.at("home/workspace/link"))
        home.giveToNobody()
        let out = home.dir.at("home/b.tar")
        let created = try #require(await home.run(["backup", "create", "--output", out], asNobody: true))
        #expect(created.status == 0, "\(created.stderr)")
        var st = stat()
        #expect(lstat(out, &st) == 0 && st.st_mode & 0o777 == 0o600 && st.st_uid == BinaryHome.nobody)
        let text = TempDir.readFile(out) ?? ""
        #expect(text.contains("mine") && text.contains("skipped symlink workspaces/main/link"))
        #expect(!text.contains("CANARY-outside-the-workspace"), "a symlink was followed out of the workspace")
        #expect(!text.contains("SECRET-nobody-token"))
        #expect(await home.run(["backup", "verify", out], asNobody: true)?.status == 0)
    }
}
