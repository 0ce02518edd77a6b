import PicoSystem

/// Converts the Markdown a model writes into the HTML subset Telegram accepts (`parse_mode: HTML`).
///
/// Handled: fenced code blocks → `<pre><code class="language-x">`, inline code → `<code>`, `**b**`/`__b__` →
/// `<b>`, `*i*`/`_i_` → `<i>`, `~~s~~` → `<s>`, `[text](url)` → `<a href="url">` (http, https, tg and mailto
/// only), `#` headings → bold lines, `- `/`* ` list markers → `• `, `> ` quote markers dropped. Everything else
/// is text with `&`, `<`, `>` (and `"` in attributes) escaped, so the output is always well-formed; markers
/// without a partner stay literal.
public enum TelegramHTML {
    /// Converts `markdown` to Telegram HTML.
    public static func render(_ markdown: String) -> String {
        var out = ""
        var codeLines: [Substring] = []
        var codeLanguage: String?
        var inCode = false
        var firstLine = true
        func newline() { if !firstLine { out += "\n" }; firstLine = false }
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.hasPrefix("```") {
                if inCode {
                    newline()
                    out += codeBlock(codeLines, language: codeLanguage)
                    codeLines = []
                    inCode = false
                } else {
                    inCode = true
                    let lang = trimmed.dropFirst(3).trimming(where: { $0 == " " || $0 == "\t" || $0 == "\r" })
                    codeLanguage = lang.isEmpty ? nil : String(lang)
                }
                continue
            }
            if inCode { codeLines.append(line); continue }
            newline()
            out += renderLine(line)
        }
        if inCode {  // unterminated block: still render it as code
            newline()
            out += codeBlock(codeLines, language: codeLanguage)
        }
        return out
    }

    /// Escapes text for Telegram HTML (`&`, `<`, `>`).
    public static func escape<S: StringProtocol>(_ s: S) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    private static func escapeAttribute(_ s: Substring) -> String {
        escape(s).replacingAll("\"", with: "&quot;")
    }

    private static func codeBlock(_ lines: [Substring], language: String?) -> String {
        let body = escape(lines.joined(separator: "\n"))
        let safeLanguage = language.map {
            String(
                $0.unicodeScalars.filter {
                    $0.properties.isAlphabetic || $0.properties.numericType != nil
                        || "+-_#.".unicodeScalars.contains($0)
                })
        }
        if let lang = safeLanguage, !lang.isEmpty {
            return "<pre><code class=\"language-\(lang)\">\(body)</code></pre>"
        }
        return "<pre><code>\(body)</code></pre>"
    }

    private static func renderLine(_ line: Substring) -> String {
        var rest = line
        let indent = rest.prefix(while: { $0 == " " || $0 == "\t" })
        rest = rest.dropFirst(indent.count)
        // Headings → bold line.
        if rest.hasPrefix("#") {
            let hashes = rest.prefix(while: { $0 == "#" })
            let after = rest.dropFirst(hashes.count)
            if hashes.count <= 6, after.first == " " {
                let title = after.trimming(where: { $0 == " " || $0 == "\t" || $0 == "\r" })
                return title.isEmpty ? "" : "<b>\(inline(title))</b>"
            }
        }
        // Quote markers.
        while rest.hasPrefix(">") {
            rest = rest.dropFirst()
            if rest.first == " " { rest = rest.dropFirst() }
        }
        // List markers.
        if rest.hasPrefix("- ") || rest.hasPrefix("* ") || rest.hasPrefix("+ ") {
            return escape(indent) + "• " + inline(rest.dropFirst(2))
        }
        return escape(indent) + inline(rest)
    }

    /// Renders inline Markdown in one line. `plainRuns: false` escapes plain text character by character (the
    /// definition the tests hold the faster runs to).
    static func inline(_ text: Substring, plainRuns: Bool = true) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if plainRuns, !mayStartMarkup(c) {
                // A run of plain characters: escaped as one piece (the same text as character by character).
                var end = text.index(after: i)
                while end < text.endIndex, !mayStartMarkup(text[end]) { end = text.index(after: end) }
                out += escape(text[i..<end])
                i = end
                continue
            }
            let rest = text[i...]
            if c == "`", let close = text[text.index(after: i)...].firstIndex(of: "`"), close > text.index(after: i) {
                out += "<code>\(escape(text[text.index(after: i)..<close]))</code>"
                i = text.index(after: close)
                continue
            }
            if c == "[", let (label, url, end) = link(in: rest) {
                out += "<a href=\"\(escapeAttribute(url))\">\(inline(label, plainRuns: plainRuns))</a>"
                i = end
                continue
            }
            if let (tag, marker) = [("b", "**"), ("b", "__"), ("s", "~~")].first(where: { rest.hasPrefix($0.1) }),
                let (inner, end) = delimited(rest, marker: marker)
            {
                out += "<\(tag)>\(inline(inner, plainRuns: plainRuns))</\(tag)>"
                i = end
                continue
            }
            if c == "*" || c == "_", let (inner, end) = delimited(rest, marker: String(c)),
                c == "*" || isWordBoundary(before: i, in: text) && isWordBoundary(at: end, in: text)
            {
                out += "<i>\(inline(inner, plainRuns: plainRuns))</i>"
                i = end
                continue
            }
            out += escape(String(c))
            i = text.index(after: i)
        }
        return out
    }

    /// `marker inner marker` at the start of `s`, with non-space characters just inside the markers.
    private static func delimited(_ s: Substring, marker: String) -> (Substring, Substring.Index)? {
        guard s.hasPrefix(marker) else { return nil }
        let innerStart = s.index(s.startIndex, offsetBy: marker.count)
        guard innerStart < s.endIndex, !s[innerStart].isWhitespace, !s[innerStart...].hasPrefix(marker) else {
            return nil
        }
        var j = innerStart
        while j < s.endIndex {
            if s[j...].hasPrefix(marker), j > innerStart, !s[s.index(before: j)].isWhitespace {
                return (s[innerStart..<j], s.index(j, offsetBy: marker.count))
            }
            j = s.index(after: j)
        }
        return nil
    }

    /// `[label](url)` at the start of `s`, for safe URL schemes only.
    private static func link(in s: Substring) -> (Substring, Substring, Substring.Index)? {
        guard let closeBracket = s.firstIndex(of: "]") else { return nil }
        let afterBracket = s.index(after: closeBracket)
        guard afterBracket < s.endIndex, s[afterBracket] == "(",
            let closeParen = s[afterBracket...].firstIndex(of: ")")
        else { return nil }
        let label = s[s.index(after: s.startIndex)..<closeBracket]
        let url = s[s.index(after: afterBracket)..<closeParen]
        let lower = url.lowercased()
        guard !label.isEmpty, !url.contains(" "),
            ["http://", "https://", "tg://", "mailto:"].contains(where: { lower.hasPrefix($0) })
        else { return nil }
        return (label, url, s.index(after: closeParen))
    }

    private static func isWordBoundary(before i: Substring.Index, in s: Substring) -> Bool {
        i == s.startIndex || !isWordCharacter(s[s.index(before: i)])
    }

    private static func isWordBoundary(at i: Substring.Index, in s: Substring) -> Bool {
        i == s.endIndex || !isWordCharacter(s[i])
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }

    /// Whether `inline` may read markup at `c`: code, a link, bold, strike or italics start only at these.
    private static func mayStartMarkup(_ c: Character) -> Bool {
        c == "`" || c == "[" || c == "*" || c == "_" || c == "~"
    }
}
