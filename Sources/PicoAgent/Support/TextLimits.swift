/// Helpers for bounding text that leaves the agent (previews, error messages, tool output).
enum TextLimits {
    /// At most `limit` characters; longer text ends with `…`.
    static func truncate(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// At most `limit` UTF-8 bytes (cut on a character boundary), plus a note saying how much was dropped.
    static func capBytes(_ text: String, to limit: Int) -> String {
        let total = text.utf8.count
        guard total > limit else { return text }
        var end = text.startIndex
        var bytes = 0
        for idx in text.indices {
            let n = text[idx].utf8.count
            if bytes + n > limit { break }
            bytes += n
            end = text.index(after: idx)
        }
        let kept = text[text.startIndex..<end]
        return String(kept) + "\n[… truncated: \(total - bytes) more bytes]"
    }

    /// Collapses newlines and tabs to spaces (for one-line previews).
    static func singleLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
    }
}
