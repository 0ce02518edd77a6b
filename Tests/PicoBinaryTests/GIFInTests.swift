import FoundationEssentials
import Glibc
import GIFTestSupport
import PicoFakes
import Testing

/// GIFs through the real binary: an animation reaches the model as its first frame alone (decoded here with giflib
/// itself), the user's file is kept under `media/`, a damaged or oversized GIF gets a clear answer and leaves
/// nothing on disk, and giflib is mapped only once a GIF arrived.
@Suite("media in: GIF first frame", .serialized)
struct GIFInTests {
    static let red = 0xFF0000, blue = 0x0000FF

    /// A 2-frame animation made by giflib's encoder: frame 1 a red/blue checkerboard, frame 2 all green.
    static func animation(width: Int32 = 12, height: Int32 = 8, frames: Int32 = 2) -> [UInt8] {
        var size = 0
        guard let bytes = gif_test_make(width, height, frames, 0, -1, &size) else { return [] }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    static func inspect(_ data: [UInt8]) -> gif_test_info {
        data.withUnsafeBufferPointer { gif_test_inspect($0.baseAddress, $0.count) }
    }

    /// The picture of the last user message the model received, decoded from its data URL.
    static func picture(in request: FakeChatRequest?) -> (mime: String, data: [UInt8])? {
        let user = request?.messages.last { $0["role"]?.stringValue == "user" }
        guard let url = user?["content"]?.arrayValue?.last?["image_url"]?["url"]?.stringValue,
            url.hasPrefix("data:"), let comma = url.firstIndex(of: ","),
            let data = Data(base64Encoded: String(url[url.index(after: comma)...]))
        else { return nil }
        let header = String(url[url.index(url.startIndex, offsetBy: 5)..<comma])
        return (header.hasSuffix(";base64") ? String(header.dropLast(7)) : header, Array(data))
    }

    /// Whether the process maps giflib.
    static func mapsGiflib(_ pid: pid_t) -> Bool {
        TempDir.readFile("/proc/\(pid)/maps")?.contains("libgif.so") == true
    }

    func start(_ llm: FakeOpenAI, _ telegram: FakeTelegram) async -> GatewayRun {
        await MediaInTests().start(llm, telegram, model: "openai/gpt-4o")
    }

    @Test func anAnimatedGIFReachesTheModelAsItsFirstFrameOnly() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setDefaultResponse(.text("a checkerboard"))
        let run = await start(llm, telegram)
        #expect(!Self.mapsGiflib(run.pid), "an idle gateway does not map giflib")

        let gif = Self.animation()
        #expect(Self.inspect(gif).frames == 2)
        _ = telegram.enqueueDocumentMessage(
            from: 4242, fileName: "dance.gif", mimeType: "image/gif", data: gif,
            caption: "what is this?")
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent.map(\.text) == ["a checkerboard"])

        let request = try #require(llm.requests.first)
        let picture = try #require(Self.picture(in: request))
        #expect(picture.mime == "image/gif")
        let seen = Self.inspect(picture.data)
        #expect(seen.ok == 1)
        #expect(seen.frames == 1, "only the first frame")
        #expect(seen.width == 12 && seen.height == 8)
        #expect(seen.first_pixel == Self.red && seen.second_pixel == Self.blue, "frame 1's pixels, not frame 2's green")
        #expect(
            request.lastUserText?.contains("animated GIF attached; you see its first frame") == true,
            "\(request.lastUserText ?? "")")
        // The user's file is what is kept (0600), whole.
        let files = MediaInTests().mediaFiles(run)
        #expect(files.count == 1 && files.first?.hasSuffix(".gif") == true, "\(files)")
        var st = stat()
        #expect(stat(run.workspace + "/media/" + (files.first ?? "?"), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600 && Int(st.st_size) == gif.count)
        #expect(Self.mapsGiflib(run.pid), "giflib is loaded once a GIF arrived")
        #expect(await run.stop() == 0)
        run.expectNoSecrets()
    }

    @Test func damagedOrHugeGIFsGetAClearAnswerAndNothingIsStored() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        let run = await start(llm, telegram)
        // Cut off in the middle of frame 1.
        let gif = Self.animation(width: 64, height: 64)
        _ = telegram.enqueueDocumentMessage(
            from: 4242, fileName: "broken.gif", mimeType: "image/gif", data: Array(gif.prefix(80)))
        var sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(
            sent[0].text.contains(
                "I could not use broken.gif: it is not a GIF picture I can read (it is cut short); nothing was kept."),
            "\(sent[0].text)")
        // A header claiming 30000×30000 pixels: refused before any pixel is decoded.
        var huge = Self.animation(width: 1, height: 1, frames: 1)
        huge[6] = 0x30; huge[7] = 0x75; huge[8] = 0x30; huge[9] = 0x75
        _ = telegram.enqueueDocumentMessage(from: 4242, fileName: "huge.gif", mimeType: "image/gif", data: huge)
        sent = try await telegram.waitForSentMessages(count: 2, timeout: .seconds(10))
        #expect(sent[1].text.contains("the picture is 30000×30000 pixels"), "\(sent[1].text)")
        #expect(MediaInTests().mediaFiles(run).isEmpty)
        #expect(llm.requests.isEmpty, "refused media never reaches the model")
        #expect(await run.stop() == 0)
    }

    @Test func aTelegramGIFTurnedIntoAVideoReachesTheModelAsItsThumbnail() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let telegram = try await FakeTelegram.start(token: GatewayRun.telegramToken)
        defer {
            Task {
                await llm.stop(); await telegram.stop()
            }
        }
        llm.setDefaultResponse(.text("a dancing cat"))
        let run = await start(llm, telegram)
        let video: [UInt8] = [0, 0, 0, 0x18] + Array("ftypmp42".utf8) + Array(repeating: 9, count: 400)
        _ = telegram.enqueueAnimationMessage(from: 4242, video: video, thumbnail: MediaInTests.png, caption: "lol")
        let sent = try await telegram.waitForSentMessages(count: 1, timeout: .seconds(10))
        #expect(sent.map(\.text) == ["a dancing cat"])
        let picture = try #require(Self.picture(in: llm.requests.first))
        #expect(picture.mime == "image/png" && picture.data == MediaInTests.png)
        #expect(
            telegram.fileDownloads.count == 1 && telegram.fileDownloads.first?.contains("thumbnails/") == true,
            "only the still is fetched, never the video: \(telegram.fileDownloads)")
        #expect(await run.stop() == 0)
    }

    @Test func aDiscordGIFAttachmentReachesTheModelAsItsFirstFrame() async throws {
        let llm = try await FakeOpenAI.start(apiKey: GatewayRun.apiKey)
        let discord = try await FakeDiscord.start(token: GatewayRun.discordToken, heartbeatIntervalMS: 1000)
        defer {
            Task {
                await llm.stop(); await discord.stop()
            }
        }
        llm.setDefaultResponse(.text("seen"))
        let run = GatewayRun()
        run.useLLM(llm)
        run.environment["PICOCLAW_AGENTS_DEFAULTS_MODEL"] = "openai/gpt-4o"
        run.useDiscord(discord, allowFrom: ["555000111"])
        #expect(run.start())
        #expect(await run.waitFor("/ready", status: 200) != nil, "not ready: \(run.log)")
        let gif = Self.animation(frames: 3)
        let image = discord.addAttachment(gif, filename: "party.gif", contentType: "image/gif")
        _ = discord.dispatchMessageCreate(
            channelId: "777", guildId: nil, authorId: "555000111", username: "owner",
            content: "look", attachments: [image])
        _ = try await discord.waitForSentMessages(count: 1, timeout: .seconds(10))
        let picture = try #require(Self.picture(in: llm.requests.first))
        let seen = Self.inspect(picture.data)
        #expect(picture.mime == "image/gif" && seen.frames == 1 && seen.first_pixel == Self.red)
        #expect(await run.stop() == 0)
    }
}
