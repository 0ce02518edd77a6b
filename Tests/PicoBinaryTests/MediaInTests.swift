import Glibc
import PicoFakes
import Testing

/// Pictures and voice notes through the real binary: a photo reaches a vision model as an image part and is kept
/// under `media/` (0600); a voice note is transcribed, shown to the sender and answered; media that cannot be
/// used gets a clear answer and leaves nothing on disk.
@Suite("media in", .serialized)
struct MediaInTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 300)

    func mediaFiles(_ run: GatewayRun) -> [String] {
        guard let d = opendir(run.workspace + "/media") else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: &e.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    func start(
        _ llm: FakeOpenAI, _ telegram: FakeTelegram, model: String, env: [String: String] = [:]
    ) async -> GatewayRun {
        let run = GatewayRun(environment: env)
        run.useLLM(llm)
        run.environment["PICOCLAW_AGENTS_DEFAULTS_MODEL"] = model
        run.useTelegram(telegram, allowFrom: [4242])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        return run
    }

    @Test func photoReachesAVisionModelAsAnImagePartAndIsKeptPrivately() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setDefaultResponse(.text("a test pattern"))
        let run = await start(llm, telegram, model: "openai/gpt-4o")
        _ = telegram.enqueuePhotoMessage(from: 4242, caption: "what is this?", data: Self.png)
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent.map(\.text) == ["a test pattern"])
        let request = try #require(llm.requests.first)
        let user = try #require(request.messages.last { $0["role"]?.stringValue == "user" })
        let parts = user["content"]?.arrayValue ?? []
        #expect(parts.first?["type"]?.stringValue == "text")
        #expect(parts.first?["text"]?.stringValue?.hasPrefix("what is this?") == true)
        let url = parts.last?["image_url"]?["url"]?.stringValue ?? ""
        #expect(url == "data:image/png;base64," + base64(Self.png))
        let files = mediaFiles(run)
        #expect(files.count == 1)
        var st = stat()
        #expect(stat(run.workspace + "/media/" + (files.first ?? "?"), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(Int(st.st_size) == Self.png.count)
        #expect(telegram.fileDownloads.count == 1, "only the full-size picture is fetched")
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func aModelThatCannotSeeSaysSoAndKeepsNothing() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let run = await start(llm, telegram, model: "openai/gpt-test")
        _ = telegram.enqueuePhotoMessage(from: 4242, data: Self.png)
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent.first?.text.contains("cannot see images") == true)
        #expect(llm.requests.isEmpty)
        #expect(telegram.fileDownloads.isEmpty)
        #expect(mediaFiles(run).isEmpty)
        #expect(await run.stop() == 0)
    }

    @Test func oversizedAndFakePicturesGetAClearAnswerAndNothingIsStored() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let run = await start(llm, telegram, model: "openai/gpt-4o", env: ["PICOCLAW_MEDIA_MAX_FILE_MB": "1"])
        // Telegram says 5 MB: refused before anything is downloaded.
        _ = telegram.enqueuePhotoMessage(from: 4242, data: Self.png, reportedSize: 5 << 20)
        var sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent[0].text.contains("more than the 1.0 MB"), "\(sent[0].text)")
        // Telegram understates the size: the download is cut off at the cap.
        _ = telegram.enqueuePhotoMessage(
            from: 4242, data: Self.png + Array(repeating: 1, count: 2 << 20), reportedSize: 1000)
        sent = try await telegram.waitForSentMessages(count: 2, timeout: .seconds(10))
        #expect(sent[1].text.contains("more than the 1.0 MB"), "\(sent[1].text)")
        // A "picture" that is really text.
        _ = telegram.enqueueDocumentMessage(
            from: 4242, fileName: "cat.png", mimeType: "image/png", data: Array("#!/bin/sh\nrm -rf ~".utf8))
        sent = try await telegram.waitForSentMessages(count: 3, timeout: .seconds(10))
        #expect(sent[2].text.contains("not a JPEG, PNG, WebP or GIF picture"), "\(sent[2].text)")
        // Other files are not read at all.
        _ = telegram.enqueueDocumentMessage(
            from: 4242, fileName: "report.pdf", mimeType: "application/pdf", data: Array("%PDF-1.7".utf8))
        sent = try await telegram.waitForSentMessages(count: 4, timeout: .seconds(10))
        #expect(sent[3].text.contains("not report.pdf"), "\(sent[3].text)")
        #expect(mediaFiles(run).isEmpty)
        #expect(llm.requests.isEmpty, "refused media never reaches the model")
        #expect(await run.stop() == 0)
    }

    @Test func voiceNoteIsTranscribedShownAndAnswered() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setTranscript("what is the capital of France")
        llm.setResponder { request in .text("echo: \(request.lastUserText ?? "")") }
        let voice: [UInt8] = Array("OggS".utf8) + Array(repeating: 3, count: 500)
        let run = await start(
            llm, telegram, model: "openai/gpt-test", env: ["PICOCLAW_TOOLS_TRANSCRIPTION_PROVIDER": "openai"])
        _ = telegram.enqueueVoiceMessage(from: 4242, data: voice)
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent[0].text.contains("🎤 “what is the capital of France”"), "\(sent[0].text)")
        #expect(sent[0].text.hasSuffix("echo: what is the capital of France"), "\(sent[0].text)")
        let upload = try #require(llm.transcriptionUploads.first)
        #expect(upload.model == "whisper-1")
        #expect(upload.file.data == voice)
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func voiceNotesAreOffUntilConfigured() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let run = await start(llm, telegram, model: "openai/gpt-test")
        _ = telegram.enqueueVoiceMessage(from: 4242, data: Array("OggS".utf8))
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent[0].text.contains("transcription is not configured"))
        #expect(llm.transcriptionUploads.isEmpty && llm.requests.isEmpty)
        #expect(telegram.fileDownloads.isEmpty)
        #expect(await run.stop() == 0)
    }

    func base64(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0,
                b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(table[b0 >> 2])
            out.append(table[(b0 & 3) << 4 | b1 >> 4])
            out.append(i + 1 < bytes.count ? table[(b1 & 15) << 2 | b2 >> 6] : "=")
            out.append(i + 2 < bytes.count ? table[b2 & 63] : "=")
            i += 3
        }
        return out
    }
}

/// Discord attachments through the real binary: fetched only from the platform's host, with the same rules.
@Suite("media in: Discord", .serialized)
struct DiscordMediaInTests {
    @Test func imageAttachmentReachesTheModelAndForeignURLsAreNeverFetched() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        let elsewhere = try await FakeHTTPServer.start()
        defer {
            Task {
                await llm.stop(); await discord.stop(); await elsewhere.stop()
            }
        }
        llm.setDefaultResponse(.text("nice picture"))
        let run = GatewayRun()
        run.useLLM(llm)
        run.environment["PICOCLAW_AGENTS_DEFAULTS_MODEL"] = "openai/gpt-4o"
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")

        let image = discord.addAttachment(MediaInTests.png, filename: "cat.png", contentType: "image/png")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            content: "look", attachments: [image])
        // A slow turn shows a placeholder first: the replies are what stays once each turn is done.
        try await run.waitForTurnsDone(1)
        #expect(discord.keptMessages.map(\.content) == ["nice picture"])
        let parts = llm.requests.first?.messages.last?["content"]?.arrayValue ?? []
        #expect(parts.last?["image_url"]?["url"]?.stringValue?.hasPrefix("data:image/png;base64,") == true)

        // An attachment URL on some other host is refused without a request to it.
        let foreign: JSONValue = [
            "id": "1", "filename": "x.png", "content_type": "image/png", "size": 10,
            "url": .string(elsewhere.baseURL + "/x.png"),
        ]
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            content: "", attachments: [foreign])
        try await run.waitForTurnsDone(2)
        let sent = discord.keptMessages
        try #require(sent.count == 2, "\(sent.map(\.content))")
        #expect(sent[1].content.contains("not on the platform's file server"), "\(sent[1].content)")
        #expect(elsewhere.requests.isEmpty)
        #expect(discord.attachmentDownloads.count == 1)
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }
}
