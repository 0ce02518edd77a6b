import PicoConfig

/// Known providers: default API bases, which speak Anthropic's native API, which need no key, and the order
/// used to pick "the first configured provider".
public enum ProviderCatalog {
    /// Default `api_base` per provider name.
    public static let defaultAPIBases: [String: String] = [
        "openrouter": "https://openrouter.ai/api/v1",
        "openai": "https://api.openai.com/v1",
        "anthropic": "https://api.anthropic.com",
        "groq": "https://api.groq.com/openai/v1",
        "deepseek": "https://api.deepseek.com/v1",
        "ollama": "http://127.0.0.1:11434/v1",
        "vllm": "http://127.0.0.1:8000/v1",
        "gemini": "https://generativelanguage.googleapis.com/v1beta/openai",
        "mistral": "https://api.mistral.ai/v1",
        "moonshot": "https://api.moonshot.cn/v1",
        "zhipu": "https://open.bigmodel.cn/api/paas/v4",
        "nvidia": "https://integrate.api.nvidia.com/v1",
        "cerebras": "https://api.cerebras.ai/v1",
        "qwen": "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "shengsuanyun": "https://router.shengsuanyun.com/api/v1",
        "volcengine": "https://ark.cn-beijing.volces.com/api/v3",
    ]

    /// Providers that run locally and need no API key.
    public static let keylessProviders: Set<String> = ["ollama", "vllm"]

    /// Preference order when the model names no configured provider.
    public static let preferenceOrder = [
        "openrouter", "anthropic", "openai", "groq", "deepseek", "gemini", "mistral", "moonshot", "zhipu", "nvidia",
        "cerebras", "qwen", "shengsuanyun", "volcengine", "ollama", "vllm",
    ]

    /// `true` when the provider can be used: it has a key, needs none, or names its own endpoint.
    public static func isUsable(_ name: String, _ config: ProviderConfig) -> Bool {
        !config.apiKey.isEmpty || keylessProviders.contains(name) || !(config.apiBase ?? "").isEmpty
    }
}

/// The provider and model id chosen for an agent's `model` setting.
public struct ModelSelection: Sendable, Equatable {
    /// Creates a selection.
    public init(provider: String, modelID: String) {
        self.provider = provider
        self.modelID = modelID
    }

    /// Provider name (a key of `providers`).
    public var provider: String
    /// The id sent to the provider.
    public var modelID: String
}

/// Why no provider could be chosen.
public struct ModelSelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The explanation (safe to print).
    public let message: String
    /// Human-readable text (safe to log).
    public var description: String { message }
}

/// Maps `<provider>/<model-id>` to a configured provider.
public enum ModelResolver {
    /// - `openrouter/anthropic/claude-sonnet-4` with `providers.openrouter` usable → openrouter, `anthropic/claude-sonnet-4`.
    /// - a model whose prefix names no usable provider → the first usable provider (``ProviderCatalog/preferenceOrder``,
    ///   then by name) with the model id unchanged.
    /// - no usable provider → an error naming the key to set.
    public static func resolve(
        model: String, providers: [String: ProviderConfig]
    ) -> Result<ModelSelection, ModelSelectionError> {
        let model = model.trimmedSpaces
        guard !model.isEmpty else {
            return .failure(
                ModelSelectionError(
                    message:
                        "no model configured: set agents.defaults.model (e.g. openrouter/anthropic/claude-sonnet-4)"))
        }
        if let slash = model.firstIndex(of: "/") {
            let prefix = model[..<slash].lowercased()
            let rest = String(model[model.index(after: slash)...])
            if !rest.isEmpty, let config = providers[prefix], ProviderCatalog.isUsable(prefix, config) {
                return .success(ModelSelection(provider: prefix, modelID: rest))
            }
        }
        let usable = providers.filter { ProviderCatalog.isUsable($0.key, $0.value) }.map(\.key)
        let ordered =
            ProviderCatalog.preferenceOrder.filter(usable.contains)
            + usable.filter {
                !ProviderCatalog.preferenceOrder.contains($0)
            }.sorted()
        if let first = ordered.first { return .success(ModelSelection(provider: first, modelID: model)) }
        var named = "openrouter"
        if let slash = model.firstIndex(of: "/") {
            let prefix = model[..<slash].lowercased()
            if providers[prefix] != nil || ProviderCatalog.defaultAPIBases[prefix] != nil { named = prefix }
        }
        return .failure(
            ModelSelectionError(
                message: "no LLM provider configured for model \(model): set providers.\(named).api_key "
                    + "(or \(ConfigSchema.envName(for: "providers.\(named).api_key")))"))
    }
}
