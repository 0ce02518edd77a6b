import FoundationEssentials
import Logging
import PicoConfig
import PicoHTTP

/// Speech to text through an OpenAI-compatible `POST {api_base}/audio/transcriptions` (OpenAI Whisper, Groq,
/// a local whisper server): a multipart upload of the file and the model name, answered with `{"text": …}`.
public struct Transcriber: Sendable {
    let settings: ProviderSettings
    let model: String
    let transport: ProviderTransport

    /// - Parameters:
    ///   - settings: the endpoint's base URL, key, proxy and timeout (a provider's settings).
    ///   - model: e.g. `whisper-1`, `whisper-large-v3`.
    public init(
        settings: ProviderSettings, model: String, redactor: SecretRedactor, retry: RetryPolicy = .standard,
        logger: Logger = Logger(label: "picoclaw.transcription")
    ) {
        self.settings = settings
        self.model = model
        transport = ProviderTransport(
            provider: settings.name, apiKey: settings.apiKey, redactor: redactor, retry: retry,
            logger: logger)
    }

    /// The endpoint URL.
    public var endpoint: String { settings.trimmedBase + "/audio/transcriptions" }

    /// The spoken text of `audio`. Throws ``ProviderError`` (redacted).
    public func transcribe(_ audio: [UInt8], filename: String, mimeType: String) async throws -> String {
        var form = MultipartForm()
        form.add("model", model)
        form.add("response_format", "json")
        form.add("file", filename: filename, contentType: mimeType, data: audio)
        var headers: [HTTPHeader] = [HTTPHeader("Accept", "application/json")]
        if !settings.apiKey.isEmpty {
            headers.append(HTTPHeader("Authorization", "Bearer \(settings.apiKey.reveal())"))
        }
        var request = form.request(endpoint, headers: headers)
        request.timeout = settings.requestTimeout
        request.proxy = settings.proxy
        request.maxRedirects = 0
        request.maxResponseBytes = 1 << 20
        let response = try await transport.send(request)
        let reply = try transport.decode(Reply.self, from: response)
        let text = reply.text.trimmedSpaces
        guard !text.isEmpty else {
            throw ProviderError(provider: settings.name, kind: .invalidResponse, detail: "no speech recognised")
        }
        return text
    }

    private struct Reply: Decodable { var text: String }
}
