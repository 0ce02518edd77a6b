import PicoSystem

/// Splits long replies into chunks a platform accepts.
///
/// - Lengths are counted in `unit`: Telegram counts UTF-16 code units (`.utf16`), Discord counts characters,
///   which we count as Unicode scalars (`.unicodeScalars`, never fewer than what Discord counts).
/// - A chunk never ends inside a grapheme cluster (so never inside a UTF-8 sequence either).
/// - Cuts prefer a paragraph break, then a line break, then a space, in the second half of the window;
///   otherwise the last break of any kind; only then a hard cut.
/// - Fenced code blocks (```` ``` ````) stay balanced: a chunk that ends inside a block gets a closing fence
///   and the next chunk reopens it with the same header line (e.g. ```` ```swift ````).
/// - Whitespace at a cut is dropped; chunks are never empty.
public enum MessageSplitter {
    /// How a platform counts message length.
    public enum LengthUnit: Sendable {
        /// UTF-16 code units (Telegram).
        case utf16
        /// Unicode scalars (Discord's "characters").
        case unicodeScalars
        /// Grapheme clusters (`String.count`).
        case characters

        func length(_ c: Character) -> Int {
            switch self {
            case .utf16: return c.utf16.count
            case .unicodeScalars: return c.unicodeScalars.count
            case .characters: return 1
            }
        }

        func length<S: StringProtocol>(_ s: S) -> Int {
            switch self {
            case .utf16: return s.utf16.count
            case .unicodeScalars: return s.unicodeScalars.count
            case .characters: return s.count
            }
        }
    }

    /// The Telegram message limit (UTF-16 code units).
    public static let telegramLimit = 4096
    /// The Discord message limit (characters).
    public static let discordLimit = 2000

    private static let closingFence = "\n```"

    /// Splits `text` into chunks of at most `limit` units (`limit` is raised to 16 if smaller).
    public static func split(_ text: String, limit: Int, unit: LengthUnit = .unicodeScalars) -> [String] {
        let limit = max(limit, 16)
        var chunks: [String] = []
        var rest = Substring(text)
        var openFence: String?  // header line of a code block left open by the previous chunk
        while true {
            if openFence == nil { rest = rest.drop(while: { $0.isNewline }) }
            guard !rest.isEmpty else { break }
            let prefix = openFence.map { $0 + "\n" } ?? ""
            if unit.length(prefix) + unit.length(rest) <= limit {
                chunks.append(prefix + rest)
                break
            }
            // Room for the content: the reopened fence before it and a possible closing fence after it.
            let budget = max(limit - unit.length(prefix) - unit.length(closingFence), 1)
            let cut = cutIndex(in: rest, budget: budget, unit: unit)
            var piece = rest[..<cut]
            rest = rest[cut...]
            // Drop whitespace at the cut (trailing in this chunk; leading in the next unless inside code).
            while let last = piece.last, last.isWhitespace, piece.count > 1 { piece.removeLast() }
            let fence = fenceState(after: piece, startingIn: openFence)
            var chunk = prefix + piece
            if fence != nil { chunk += closingFence }
            chunks.append(chunk)
            openFence = fence
            if openFence == nil {
                rest = rest.drop(while: { $0 == " " || $0 == "\t" || $0.isNewline })
            } else if rest.first?.isNewline == true {
                rest = rest.dropFirst()
            }
        }
        return chunks.isEmpty && !text.isEmpty ? [String(text.prefix(1))] : chunks
    }

    /// Where to cut `text` so the head fits in `budget` units.
    private static func cutIndex(in text: Substring, budget: Int, unit: LengthUnit) -> Substring.Index {
        var used = 0
        var end = text.startIndex
        while end < text.endIndex {
            let l = unit.length(text[end])
            if used + l > budget { break }
            used += l
            end = text.index(after: end)
        }
        if end == text.startIndex { return text.index(after: end) }  // a single huge grapheme: emit it alone
        if end == text.endIndex { return end }
        let window = text[..<end]
        let half = text.index(text.startIndex, offsetBy: window.count / 2)
        var paragraph: Substring.Index?, line: Substring.Index?, space: Substring.Index?
        var i = window.endIndex
        while i > window.startIndex {
            let p = window.index(before: i)
            let c = window[p]
            if c.isNewline {
                if line == nil { line = i }
                if paragraph == nil, p > window.startIndex, window[window.index(before: p)].isNewline { paragraph = i }
            } else if c == " " || c == "\t" {
                if space == nil { space = i }
            }
            if paragraph != nil { break }
            i = p
        }
        for candidate in [paragraph, line, space] {
            if let candidate, candidate >= half { return candidate }
        }
        if let best = [paragraph, line, space].compactMap({ $0 }).max(), best > window.startIndex { return best }
        return end
    }

    /// The open code-fence header after `piece`, given the fence open before it.
    static func fenceState(after piece: Substring, startingIn open: String?) -> String? {
        var open = open
        for line in piece.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            guard trimmed.hasPrefix("```") else { continue }
            if open == nil {
                open = String(trimmed).trimming(" \t\r")
            } else {
                open = nil
            }
        }
        return open
    }
}
