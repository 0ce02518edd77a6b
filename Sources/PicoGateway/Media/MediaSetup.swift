import Logging
import PicoAgent
import PicoConfig

/// Why the media settings cannot be used.
struct MediaSetupError: Error, CustomStringConvertible {
    let description: String
}

extension MediaIntake {
    /// The intake for `config`: `media.*` limits, and a transcriber when `tools.transcription` is set (its key from
    /// `tools.transcription.api_key`, else from the named provider).
    static func make(
        config: PicoConfiguration, redactor: SecretRedactor, logger: Logger
    ) throws(MediaSetupError) -> MediaIntake {
        let t = config.tools.transcription
        var transcriber: Transcriber?
        if t.isEnabled {
            let name = t.provider ?? "transcription"
            if name == "anthropic" {
                throw MediaSetupError(
                    description:
                        "tools.transcription.provider: anthropic has no transcription endpoint; use an OpenAI-compatible provider (openai, groq, …) or set tools.transcription.api_base"
                )
            }
            let provider = config.providers[name]
            if t.provider != nil, provider == nil, t.apiBase == nil {
                throw MediaSetupError(
                    description:
                        "tools.transcription.provider names \(name), but providers.\(name) is not configured; configure it or set tools.transcription.api_base"
                )
            }
            guard
                let base = t.apiBase ?? provider?.apiBase.flatMap({ $0.isEmpty ? nil : $0 })
                    ?? ProviderCatalog.defaultAPIBases[name]
            else {
                throw MediaSetupError(
                    description: "tools.transcription: no API base for \(name); set tools.transcription.api_base")
            }
            let key = t.apiKey.isEmpty ? (provider?.apiKey ?? t.apiKey) : t.apiKey
            let settings = ProviderSettings(
                name: name, apiKey: key, apiBase: base, proxy: provider?.proxy,
                requestTimeout: .seconds(max(1, provider?.requestTimeout ?? 120)))
            transcriber = Transcriber(settings: settings, model: t.model, redactor: redactor, logger: logger)
            logger.info("voice notes are transcribed with \(t.model) at \(name)")
        }
        var intake = MediaIntake(
            store: MediaStore(maxAgeDays: config.media.maxAgeDays), transcriber: transcriber, logger: logger)
        intake.maxBytes = config.media.maxFileMB << 20
        return intake
    }
}
