import PicoConfig

/// Why a model provider call failed. Both ``userMessage`` and ``detail`` are safe to show and log:
/// they never contain the API key, and provider bodies in them are redacted and truncated (≤ 300 chars).
public struct ProviderError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The failure category.
    public enum Kind: Sendable, Equatable {
        /// The provider answered with a non-2xx status.
        case http(status: Int)
        /// The request timed out (`request_timeout`).
        case timedOut
        /// The provider could not be reached (DNS, refused, TLS, broken connection).
        case unreachable
        /// The provider answered 2xx with a body that is not a valid completion.
        case invalidResponse
        /// No provider (or no API key) is configured.
        case notConfigured
        /// The turn was cancelled (shutdown).
        case cancelled
    }

    /// The longest provider-supplied text kept in ``detail``.
    public static let maxDetailLength = 300

    /// Provider name (`openrouter`, `anthropic`, ...).
    public let provider: String
    /// The failure category.
    public let kind: Kind
    /// Redacted, truncated, single-line explanation (provider error message, transport error).
    public let detail: String
    /// HTTP attempts made (1 + retries).
    public let attempts: Int
    /// Models tried before giving up (more than 1 when `model_fallbacks` were tried too).
    public let modelsTried: Int

    /// Creates an error; `detail` must already be redacted (it is made single-line and truncated here).
    public init(provider: String, kind: Kind, detail: String, attempts: Int = 1, modelsTried: Int = 1) {
        self.provider = provider
        self.kind = kind
        self.detail = TextLimits.truncate(TextLimits.singleLine(detail), to: ProviderError.maxDetailLength)
        self.attempts = attempts
        self.modelsTried = modelsTried
    }

    /// Builds an error whose detail is passed through `redactor` first.
    static func redacted(
        provider: String, kind: Kind, detail: String, attempts: Int = 1,
        redactor: SecretRedactor
    ) -> ProviderError {
        ProviderError(provider: provider, kind: kind, detail: redactor.redact(detail), attempts: attempts)
    }

    /// Builds an error whose detail is passed through the transport's redaction first.
    static func redacted(
        provider: String, kind: Kind, detail: String, attempts: Int = 1,
        transport: ProviderTransport
    ) -> ProviderError {
        ProviderError(provider: provider, kind: kind, detail: transport.redact(detail), attempts: attempts)
    }

    /// The HTTP status, if the provider answered.
    public var status: Int? {
        if case .http(let s) = kind { return s }
        return nil
    }

    /// A short, friendly message for the chat user (says so when fallback models were tried too).
    public var userMessage: String {
        guard modelsTried > 1 else { return singleModelMessage }
        return singleModelMessage + " (All \(modelsTried) configured models failed.)"
    }

    private var singleModelMessage: String {
        switch kind {
        case .http(let status) where status == 401 || status == 403:
            return
                "Sorry — the model provider rejected the configured API key (HTTP \(status)). Please check the provider settings."
        case .http(429):
            return "Sorry — the model provider is rate-limiting requests right now (HTTP 429). Please try again later."
        case .http(let status) where status >= 500:
            return "Sorry — the model provider is unavailable right now (HTTP \(status)). Please try again later."
        case .http(let status):
            let why = detail.isEmpty ? "" : ": \(detail)"
            return "Sorry — the model provider refused the request (HTTP \(status))\(why)"
        case .timedOut:
            return "Sorry — the model provider did not answer in time. Please try again later."
        case .unreachable:
            return "Sorry — the model provider could not be reached. Please try again later."
        case .invalidResponse:
            return "Sorry — the model provider sent an answer I could not understand. Please try again."
        case .notConfigured:
            return "Sorry — no LLM provider is configured. \(detail)"
        case .cancelled:
            return "Sorry — the request was cancelled."
        }
    }

    /// `provider <name>: <kind> (<detail>) after N attempts`; safe for logs.
    public var description: String {
        let what: String =
            switch kind {
            case .http(let s): "HTTP \(s)"
            case .timedOut: "timed out"
            case .unreachable: "unreachable"
            case .invalidResponse: "invalid response"
            case .notConfigured: "not configured"
            case .cancelled: "cancelled"
            }
        let d = detail.isEmpty ? "" : ": \(detail)"
        let a = attempts > 1 ? " (after \(attempts) attempts)" : ""
        return "provider \(provider) \(what)\(d)\(a)"
    }
}
