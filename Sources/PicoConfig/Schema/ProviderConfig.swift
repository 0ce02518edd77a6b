/// `providers.<name>`: credentials and transport settings of one LLM provider.
public struct ProviderConfig: Sendable, Equatable {
    /// `api_key`.
    public let apiKey: Secret
    /// `api_base` (`nil` = the provider's default endpoint).
    public let apiBase: String?
    /// `proxy`.
    public let proxy: String?
    /// `request_timeout` in seconds (default 120).
    public let requestTimeout: Int

    /// Creates a provider configuration.
    public init(apiKey: Secret = .empty, apiBase: String? = nil, proxy: String? = nil, requestTimeout: Int = 120) {
        self.apiKey = apiKey
        self.apiBase = apiBase
        self.proxy = proxy
        self.requestTimeout = requestTimeout
    }
}
