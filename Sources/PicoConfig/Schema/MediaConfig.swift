/// `media`: pictures and voice notes that come with messages.
public struct MediaConfig: Sendable, Equatable {
    /// `max_age_days` (default 7, > 0): stored files under each workspace's `media/` are removed after this.
    public let maxAgeDays: Int
    /// `max_file_mb` (default 10, > 0): larger attachments are refused without being stored.
    public let maxFileMB: Int
    /// `vision_models`: model ids (without provider prefix) that accept pictures, besides the well-known ones.
    public let visionModels: [String]
    /// `text_only_models`: model ids that do not accept pictures although their name suggests so.
    public let textOnlyModels: [String]

    /// Creates the section.
    public init(maxAgeDays: Int = 7, maxFileMB: Int = 10, visionModels: [String] = [], textOnlyModels: [String] = []) {
        self.maxAgeDays = maxAgeDays
        self.maxFileMB = maxFileMB
        self.visionModels = visionModels
        self.textOnlyModels = textOnlyModels
    }

    /// Whether `model` accepts pictures according to the lists (`nil`: the lists do not say).
    public func supportsVision(_ model: String) -> Bool? {
        let id = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
        if textOnlyModels.contains(where: { $0.lowercased() == id || $0.lowercased() == model.lowercased() }) {
            return false
        }
        if visionModels.contains(where: { $0.lowercased() == id || $0.lowercased() == model.lowercased() }) {
            return true
        }
        return nil
    }
}

/// `tools.transcription`: speech to text for voice notes (off until `provider` or `api_base` is set).
public struct TranscriptionConfig: Sendable, Equatable {
    /// `provider`: whose `api_key`, `api_base` and `proxy` are used (an OpenAI-compatible one: openai, groq, …).
    public let provider: String?
    /// `model` (default `whisper-1`).
    public let model: String
    /// `api_key` (or `PICOCLAW_TOOLS_TRANSCRIPTION_API_KEY_FILE`): overrides the provider's key.
    public let apiKey: Secret
    /// `api_base`: overrides the provider's base URL (the endpoint is `<api_base>/audio/transcriptions`).
    public let apiBase: String?

    /// Creates the section.
    public init(
        provider: String? = nil, model: String = "whisper-1", apiKey: Secret = Secret(""), apiBase: String? = nil
    ) {
        self.provider = provider
        self.model = model
        self.apiKey = apiKey
        self.apiBase = apiBase
    }

    /// Whether transcription is configured.
    public var isEnabled: Bool { !(provider ?? "").isEmpty || !(apiBase ?? "").isEmpty }
}
