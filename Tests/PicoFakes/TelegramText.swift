/// Telegram-side text checks: length limit, HTML / MarkdownV2 entity parsing, auto entities.
enum TelegramText {
    static let allowedHTMLTags: Set<String> = [
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
        "blockquote", "tg-emoji",
    ]

    /// Validates `text` for `parse_mode` and returns the plain text Telegram would deliver, or an error description
    /// (the part after `"Bad Request: "`).
    static func parse(_ text: String, mode: String?) -> Result<String, TelegramTextError> {
        switch mode?.lowercased() {
        case "html": return parseHTML(text)
        case "markdownv2": return parseMarkdownV2(text)
        default: return .success(text)
        }
    }

    static func parseHTML(_ text: String) -> Result<String, TelegramTextError> {
        let u = Array(text.utf8)
        var stack: [String] = []
        var plain: [UInt8] = []
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "<") {
                guard let close = u[i...].firstIndex(of: UInt8(ascii: ">")) else {
                    return .failure(.init("can't parse entities: Unclosed start tag at byte offset \(i)"))
                }
                let inner = String(decoding: u[(i + 1)..<close], as: UTF8.self)
                if inner.hasPrefix("/") {
                    let name = inner.dropFirst().trimmingSpaces().lowercased()
                    guard let top = stack.last else {
                        return .failure(.init("can't parse entities: Unexpected end tag at byte offset \(i)"))
                    }
                    guard top == name else {
                        return .failure(
                            .init(
                                "can't parse entities: Unmatched end tag at byte offset \(i), expected \"</\(top)>\", found \"</\(name)>\""
                            ))
                    }
                    stack.removeLast()
                } else {
                    let name = String(inner.prefix { $0 != " " && $0 != "\n" && $0 != "\t" && $0 != "/" }).lowercased()
                    guard allowedHTMLTags.contains(name) else {
                        return .failure(
                            .init("can't parse entities: Unsupported start tag \"\(name)\" at byte offset \(i)"))
                    }
                    stack.append(name)
                }
                i = close + 1
            } else if c == UInt8(ascii: "&") {
                let semi = u[i...].prefix(12).firstIndex(of: UInt8(ascii: ";"))
                let entity = semi.map { String(decoding: u[(i + 1)..<$0], as: UTF8.self) } ?? ""
                let map = ["lt": "<", "gt": ">", "amp": "&", "quot": "\""]
                if let semi, let rep = map[entity] {
                    plain.append(contentsOf: Array(rep.utf8))
                    i = semi + 1
                } else if let semi, entity.hasPrefix("#"), let scalar = numericEntity(entity) {
                    plain.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i = semi + 1
                } else {
                    plain.append(c)  // Telegram keeps a bare '&'
                    i += 1
                }
            } else {
                plain.append(c)
                i += 1
            }
        }
        if let open = stack.last {
            return .failure(.init("can't parse entities: Can't find end tag corresponding to start tag \"\(open)\""))
        }
        return .success(String(decoding: plain, as: UTF8.self))
    }

    static func numericEntity(_ e: String) -> Unicode.Scalar? {
        let body = e.dropFirst()
        let v = body.first == "x" || body.first == "X" ? UInt32(body.dropFirst(), radix: 16) : UInt32(body)
        return v.flatMap(Unicode.Scalar.init)
    }

    static let markdownV2Reserved: Set<Character> = [
        "_", "*", "[", "]", "(", ")", "~", "`", ">", "#", "+", "-", "=", "|", "{", "}", ".", "!",
    ]

    /// Light MarkdownV2 check: reserved characters that cannot start/end an entity must be escaped, and
    /// the paired markers `*`, `_`, `~`, `` ` `` must be balanced (outside code).
    static func parseMarkdownV2(_ text: String) -> Result<String, TelegramTextError> {
        var plain = ""
        var escaped = false
        var inCode = false
        var counts: [Character: Int] = [:]
        var offset = 0
        for ch in text {
            defer { offset += ch.utf8.count }
            if escaped { plain.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; continue }
            if ch == "`" { inCode.toggle(); continue }
            if inCode { plain.append(ch); continue }
            if "*_~|".contains(ch) { counts[ch, default: 0] += 1; continue }
            if "[]()".contains(ch) { continue }  // links: not validated
            if markdownV2Reserved.contains(ch) {
                return .failure(
                    .init(
                        "can't parse entities: Character '\(ch)' is reserved and must be escaped with the preceding '\\'"
                    ))
            }
            plain.append(ch)
        }
        if inCode {
            return .failure(.init("can't parse entities: Can't find end of Code entity at byte offset \(offset)"))
        }
        for (ch, n) in counts where n % 2 != 0 && ch != "|" {
            let name = ch == "*" ? "Bold" : ch == "_" ? "Italic" : "Strikethrough"
            return .failure(.init("can't parse entities: Can't find end of \(name) entity at byte offset \(offset)"))
        }
        return .success(plain)
    }

    /// Entities Telegram would attach to an incoming text: `/command` (at start) and `@mention`s, UTF-16 offsets.
    static func autoEntities(_ text: String) -> [JSONValue] {
        var out: [JSONValue] = []
        let units = Array(text.utf16)
        var i = 0
        func isWordUnit(_ c: UInt16) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }
        while i < units.count {
            let c = units[i]
            let atWordStart = i == 0 || !isWordUnit(units[i - 1])
            if (c == 0x2F && i == 0) || (c == 0x40 && atWordStart) {
                var j = i + 1
                while j < units.count, isWordUnit(units[j]) || (c == 0x2F && units[j] == 0x40) { j += 1 }
                if j - i > 1 {
                    out.append([
                        "type": .string(c == 0x2F ? "bot_command" : "mention"), "offset": .int(i),
                        "length": .int(j - i),
                    ])
                }
                i = j
            } else {
                i += 1
            }
        }
        return out
    }
}

struct TelegramTextError: Error {
    let description: String
    init(_ d: String) { description = d }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
