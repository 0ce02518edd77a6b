import PicoConfig

/// Connection settings of one provider (from `providers.<name>` in the config).
public struct ProviderSettings: Sendable {
    /// Provider name (`openrouter`, `anthropic`, `ollama`, ...).
    public var name: String
    /// API key (may be empty for local servers such as Ollama or vLLM).
    public var apiKey: Secret
    /// Base URL, e.g. `https://openrouter.ai/api/v1` (the provider appends `/chat/completions`).
    public var apiBase: String
    /// Proxy URL; `nil` uses the environment's default.
    public var proxy: String?
    /// Total time allowed for one HTTP attempt.
    public var requestTimeout: Duration

    /// Creates settings.
    public init(
        name: String, apiKey: Secret, apiBase: String, proxy: String? = nil,
        requestTimeout: Duration = .seconds(120)
    ) {
        self.name = name
        self.apiKey = apiKey
        self.apiBase = apiBase
        self.proxy = proxy
        self.requestTimeout = requestTimeout
    }

    /// `apiBase` without trailing slashes.
    var trimmedBase: String {
        var b = apiBase
        while b.hasSuffix("/") { b.removeLast() }
        return b
    }
}
