import Glibc
import PicoFakes
import Testing

/// The `send_file` tool through the real binary: workspace files reach the chat (pictures as photos, in the
/// topic the question came from); the jail and the size cap hold, proven by what was uploaded.
@Suite("send_file", .serialized)
struct SendFileTests {
    static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR-fake-png".utf8)

    func writeBytes(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot write \(path)")
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Root, and the unprivileged uid 65534 (as the systemd unit runs it).
    static let users: [uid_t] = getuid() == 0 ? [0, 65534] : [getuid()]

    @Test(arguments: users)
    func telegramGetsDocumentsAndPhotosButNothingOutsideTheWorkspaceOrOverTheCap(uid: uid_t) async throws {
        let scene = try await EchoTelegramScene.start(as: uid)
        defer { Task { await scene.stopFakes() } }
        let (llm, telegram, run) = (scene.llm, scene.telegram, scene.run)
        let canary = run.dir.write("canary.txt", "CANARY-outside-the-workspace")
        llm.enqueue(
            .toolCalls([
                (id: "c1", name: "send_file", argumentsJSON: #"{"path":"out/report.txt","caption":"the report"}"#),
                (id: "c2", name: "send_file", argumentsJSON: #"{"path":"chart.png"}"#),
                (id: "c3", name: "send_file", argumentsJSON: #"{"path":"leak.txt"}"#),
                (id: "c4", name: "send_file", argumentsJSON: #"{"path":"\#(canary)"}"#),
                (id: "c5", name: "send_file", argumentsJSON: #"{"path":"big.bin"}"#),
            ]),
            .text("sent what I could"))
        _ = run.dir.mkdir("home/workspace/out")
        _ = run.dir.write("home/workspace/out/report.txt", "quarterly numbers")
        writeBytes(run.workspace + "/chart.png", Self.png)
        #expect(symlink(canary, run.workspace + "/leak.txt") == 0)
        let big = open(run.workspace + "/big.bin", O_WRONLY | O_CREAT, 0o600)
        #expect(ftruncate(big, 11 << 20) == 0)
        close(big)
        // chown -R does not follow the symlink.
        if uid != getuid() { _ = system("chown -R \(uid):\(uid) '\(run.workspace)'") }

        let group = -1_001_234_567
        _ = telegram.enqueueTextMessage(
            from: 4242, chatId: group, chatType: "supergroup", text: "send me the files", threadId: 9)
        // A slow turn shows a placeholder in the group first: the reply is what stays once the turn is done.
        try await run.waitForTurnsDone(1)
        #expect(telegram.keptMessages.map(\.text) == ["sent what I could"])
        let uploads = telegram.uploads
        #expect(uploads.map(\.method) == ["sendDocument", "sendPhoto"])
        #expect(uploads.first?.file.filename == "report.txt")
        #expect(uploads.first?.file.text == "quarterly numbers")
        #expect(uploads.first?.caption == "the report")
        #expect(uploads.last?.file.data == Self.png)
        #expect(uploads.allSatisfy { $0.chatId == group && $0.threadId == 9 }, "files stay in the topic")
        #expect(!uploads.contains { $0.file.text.contains("CANARY") }, "nothing outside the workspace is sent")
        #expect(TempDir.readFile(canary) == "CANARY-outside-the-workspace")
        // The model was told why the others were refused.
        let results = try await llm.waitForRequests(count: 2)[1].json.jsonString
        #expect(results.contains("sent report.txt"))
        #expect(results.contains("as a photo"))
        #expect(results.contains("send_file sends at most"))
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func discordGetsTheFileAsAnAttachment() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        llm.enqueue(
            .toolCalls([(id: "c1", name: "send_file", argumentsJSON: #"{"path":"notes.md","caption":"your notes"}"#)]),
            .text("attached"))
        let run = GatewayRun()
        run.useLLM(llm)
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        _ = run.dir.write("home/workspace/notes.md", "# notes\n- one")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            bot: false, content: "send my notes", mentionsBot: false)
        try await run.waitForTurnsDone(1)
        let sent = discord.keptMessages
        try #require(sent.count == 2, "\(sent.map(\.content))")
        #expect(sent[0].content == "your notes")
        #expect(sent[0].files.map { $0.filename } == ["notes.md"])
        #expect(sent[0].files.first?.text == "# notes\n- one")
        #expect(sent[1].content == "attached")
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }
}
