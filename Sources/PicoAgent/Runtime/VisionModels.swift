/// The default answer to "does this model see pictures?", by model name, for when the config does not say
/// (`supports_vision`). Errs on the side of "no": a user is then told the model cannot see images instead of the
/// provider rejecting the request.
public enum VisionModels {
    /// Name fragments of model families that accept image input.
    static let families = [
        "gpt-4o", "gpt-4.1", "gpt-4-turbo", "gpt-4-vision", "gpt-5", "o1", "o3", "o4",
        "claude-3", "claude-sonnet-4", "claude-opus-4", "claude-haiku-4", "claude-4",
        "gemini", "gemma-3", "llava", "bakllava", "pixtral", "qwen-vl", "qwen2-vl", "qwen2.5-vl", "qwen3-vl",
        "llama-3.2-11b-vision", "llama-3.2-90b-vision", "llama-4", "grok-2-vision", "grok-4", "minicpm-v",
        "vision", "-vl",
    ]

    /// Whether `model` (with or without a provider prefix) is known to accept pictures.
    public static func likelySeesImages(_ model: String) -> Bool {
        let id = model.lowercased().split(separator: "/").last.map(String.init) ?? ""
        if id.hasPrefix("o1-mini") || id.hasPrefix("o3-mini") { return false }
        return families.contains { id.hasPrefix($0) || id.contains($0) }
    }
}
