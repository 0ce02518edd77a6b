/// Splits a Markdown reply into chunks whose Telegram HTML fits the 4096 limit.
enum TelegramFormatter {
    struct Chunk: Equatable {
        /// The Markdown source of the chunk (sent as plain text if Telegram rejects the HTML).
        var plain: String
        /// The chunk as Telegram HTML.
        var html: String
    }

    /// Chunks of `markdown`: each `plain` and each `html` is at most `limit` UTF-16 units.
    static func chunks(_ markdown: String, limit: Int = MessageSplitter.telegramLimit) -> [Chunk] {
        var out: [Chunk] = []
        for piece in MessageSplitter.split(markdown, limit: limit, unit: .utf16) {
            append(piece, limit: limit, into: &out)
        }
        return out
    }

    private static func append(_ piece: String, limit: Int, into out: inout [Chunk]) {
        let html = TelegramHTML.render(piece)
        let htmlLength = html.utf16.count
        if htmlLength <= limit {
            out.append(Chunk(plain: piece, html: html))
            return
        }
        // Markup made it longer: split the source smaller, in proportion, and try again.
        let length = piece.utf16.count
        let smaller = max(256, length * limit / htmlLength - 64)
        guard smaller < length else {  // cannot shrink further: send it escaped, without markup
            out.append(Chunk(plain: piece, html: TelegramHTML.escape(piece)))
            return
        }
        for sub in MessageSplitter.split(piece, limit: smaller, unit: .utf16) {
            append(sub, limit: limit, into: &out)
        }
    }
}
