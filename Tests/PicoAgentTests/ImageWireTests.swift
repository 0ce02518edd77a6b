import FoundationEssentials
@testable import PicoAgent
import PicoConfig
import PicoFakes
import Testing

/// Pictures on the wire: OpenAI `image_url` data URLs and Anthropic `image` blocks, in the request only, never in
/// the stored transcript; the vision defaults by model name.
@Suite("image parts")
struct ImageWireTests {
    static let key = "sk-test-images-0123456789"
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]

    @Test func base64MatchesTheStandardAlphabetAndPadding() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
    }

    @Test func openAIGetsAnImageURLPart() async throws {
        let fake = try await FakeOpenAI.start()
        defer { Task { await fake.stop() } }
        var message = ChatMessage.user("what is it?")
        message.images = [ImageInput(mimeType: "image/png", data: Self.png)]
        let provider = OpenAICompatibleProvider(
            settings: ProviderSettings(name: "openai", apiKey: Secret(Self.key), apiBase: fake.apiBase),
            redactor: SecretRedactor(secretValues: [Self.key]), retry: instantRetry,
            logger: LogRecorder().logger(level: .trace))
        _ = try await provider.complete(LLMRequest(model: "gpt-4o", messages: [message]))
        let parts = try #require(fake.requests.first?.messages.last?["content"]?.arrayValue)
        #expect(parts.first?["text"]?.stringValue == "what is it?")
        #expect(parts.last?["image_url"]?["url"]?.stringValue == "data:image/png;base64," + Base64.encode(Self.png))
    }

    @Test func anthropicGetsAnImageBlockBeforeTheText() async throws {
        let fake = try await FakeAnthropic.start(apiKey: Self.key)
        defer { Task { await fake.stop() } }
        var message = ChatMessage.user("what is it?")
        message.images = [ImageInput(mimeType: "image/png", data: Self.png)]
        let provider = AnthropicProvider(
            settings: ProviderSettings(name: "anthropic", apiKey: Secret(Self.key), apiBase: fake.baseURL),
            redactor: SecretRedactor(secretValues: [Self.key]), retry: instantRetry,
            logger: LogRecorder().logger(level: .trace))
        _ = try await provider.complete(LLMRequest(model: "claude-sonnet-4", messages: [message]))
        let blocks = try #require(fake.requests.first?.messages.last?["content"]?.arrayValue)
        #expect(blocks.first?["type"]?.stringValue == "image")
        #expect(blocks.first?["source"]?["type"]?.stringValue == "base64")
        #expect(blocks.first?["source"]?["media_type"]?.stringValue == "image/png")
        #expect(blocks.first?["source"]?["data"]?.stringValue == Base64.encode(Self.png))
        #expect(blocks.last?["text"]?.stringValue == "what is it?")
    }

    @Test func picturesNeverReachTheStoredTranscript() throws {
        var message = ChatMessage.user("look")
        message.images = [ImageInput(mimeType: "image/png", data: Self.png)]
        let stored = AgentRuntime.complete([message, .assistant("a square")])
        #expect(stored.allSatisfy { $0.images == nil })
        #expect(!message.jsonRecord.contains("image"))
    }

    @Test func visionDefaultsByModelName() {
        for model in [
            "gpt-4o", "openai/gpt-4o-mini", "claude-sonnet-4-5", "anthropic/claude-3-5-haiku", "gemini-2.5-flash",
            "llava:13b", "qwen2.5-vl-72b", "meta-llama/llama-4-scout",
        ] {
            #expect(VisionModels.likelySeesImages(model), "\(model)")
        }
        for model in ["gpt-3.5-turbo", "deepseek-chat", "o3-mini", "mistral-small", "gpt-test", "llama3.1:8b"] {
            #expect(!VisionModels.likelySeesImages(model), "\(model)")
        }
        let media = MediaConfig(visionModels: ["my-local-vlm"], textOnlyModels: ["gpt-4o"])
        #expect(media.supportsVision("my-local-vlm") == true)
        #expect(media.supportsVision("openai/gpt-4o") == false)
        #expect(media.supportsVision("deepseek-chat") == nil)
    }
}
