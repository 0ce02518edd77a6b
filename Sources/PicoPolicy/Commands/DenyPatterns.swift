import Synchronization

/// PicoClaw v0.2.0's 42 default exec deny patterns (RE2 syntax), verbatim and in order.
let picoclawDefaultDenyPatterns: [String] = [
    #"\brm\s+-[rf]{1,2}\b"#,
    #"\bdel\s+/[fq]\b"#,
    #"\brmdir\s+/s\b"#,
    #"\b(format|mkfs|diskpart)\b\s"#,
    #"\bdd\s+if="#,
    #">\s*/dev/sd[a-z]\b"#,
    #"\b(shutdown|reboot|poweroff)\b"#,
    #":\(\)\s*\{.*\};\s*:"#,
    #"\$\([^)]+\)"#,
    #"\$\{[^}]+\}"#,
    #"`[^`]+`"#,
    #"\|\s*sh\b"#,
    #"\|\s*bash\b"#,
    #";\s*rm\s+-[rf]"#,
    #"&&\s*rm\s+-[rf]"#,
    #"\|\|\s*rm\s+-[rf]"#,
    #">\s*/dev/null\s*>&?\s*\d?"#,
    #"<<\s*EOF"#,
    #"\$\(\s*cat\s+"#,
    #"\$\(\s*curl\s+"#,
    #"\$\(\s*wget\s+"#,
    #"\$\(\s*which\s+"#,
    #"\bsudo\b"#,
    #"\bchmod\s+[0-7]{3,4}\b"#,
    #"\bchown\b"#,
    #"\bpkill\b"#,
    #"\bkillall\b"#,
    #"\bkill\s+-[9]\b"#,
    #"\bcurl\b.*\|\s*(sh|bash)"#,
    #"\bwget\b.*\|\s*(sh|bash)"#,
    #"\bnpm\s+install\s+-g\b"#,
    #"\bpip\s+install\s+--user\b"#,
    #"\bapt\s+(install|remove|purge)\b"#,
    #"\byum\s+(install|remove)\b"#,
    #"\bdnf\s+(install|remove)\b"#,
    #"\bdocker\s+run\b"#,
    #"\bdocker\s+exec\b"#,
    #"\bgit\s+push\b"#,
    #"\bgit\s+force\b"#,
    #"\bssh\b.*@"#,
    #"\beval\b"#,
    #"\bsource\s+.*\.sh\b"#,
]

/// A deny pattern: case-insensitive, ASCII character classes and simple (RE2-like) word boundaries, plus a
/// literal that must occur for the pattern to match (a cheap pre-filter). The source is checked when the pattern
/// is made; the compiled `Regex` (about 6 KiB of heap each) is built the first time a command passes the
/// pre-filter and then kept, so the 42 default patterns cost no memory in a gateway that runs no such command.
struct DenyPattern: Sendable {
    let source: String
    private let compiled: CompiledRegex
    let requiredLiteral: [UInt8]?
    /// When there is no single required literal: one of these must occur (a plain `(a|b|c)` group).
    let requiredAlternatives: [[UInt8]]?

    init(_ source: String) throws {
        self.source = source
        _ = try DenyPattern.compile(source)  // a bad pattern is an error now, not at the first command
        self.compiled = CompiledRegex()
        let literal = DenyPattern.requiredLiteral(of: source)
        self.requiredLiteral = literal
        self.requiredAlternatives = literal == nil ? DenyPattern.requiredAlternatives(of: source) : nil
    }

    private static func compile(_ source: String) throws -> Regex<AnyRegexOutput> {
        try Regex(source).ignoresCase().asciiOnlyCharacterClasses().wordBoundaryKind(.simple)
    }

    /// Whether the pattern matches anywhere in `text`; `lowered` is `text`'s ASCII-lowercased UTF-8.
    func matches(_ text: String, lowered: [UInt8]) -> Bool {
        if let literal = requiredLiteral, !lowered.containsSubsequence(literal) { return false }
        if let options = requiredAlternatives, !options.contains(where: { lowered.containsSubsequence($0) }) {
            return false
        }
        return compiled.firstMatch(in: text) { try DenyPattern.compile(source) }
    }

    /// For patterns whose only alternation is one group of plain words, e.g. `\b(shutdown|reboot)\b`, the
    /// words (lowercased); nil otherwise.
    static func requiredAlternatives(of pattern: String) -> [[UInt8]]? {
        let p = Array(pattern.utf8)
        guard let open = p.firstIndex(of: UInt8(ascii: "(")), let close = p[open...].firstIndex(of: UInt8(ascii: ")")),
            p[(close + 1)...].firstIndex(of: UInt8(ascii: "|")) == nil,
            p[..<open].firstIndex(of: UInt8(ascii: "|")) == nil,
            p[(open + 1)..<close].allSatisfy({ $0 == UInt8(ascii: "|") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }),
            open == 0 || p[open - 1] != UInt8(ascii: "\\")
        else { return nil }
        if close + 1 < p.count, [UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "{")].contains(p[close + 1]) {
            return nil
        }
        let words = p[(open + 1)..<close].split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard !words.contains(where: \.isEmpty) else { return nil }
        return words.map { $0.map(asciiLower) }
    }

    /// The longest run of plain characters every match must contain (lowercased), or nil when the
    /// pattern has top-level alternation or no run of at least two characters.
    static func requiredLiteral(of pattern: String) -> [UInt8]? {
        let p = Array(pattern.utf8)
        var best: [UInt8] = []
        var run: [UInt8] = []
        func flush() { if run.count > best.count { best = run }; run = [] }
        var k = 0
        var depth = 0
        while k < p.count {
            let c = p[k]
            switch c {
            case UInt8(ascii: "\\"):
                guard k + 1 < p.count else { return nil }
                let e = p[k + 1]
                let isLetterOrDigit = (e >= 0x30 && e <= 0x39) || (e | 0x20 >= 0x61 && e | 0x20 <= 0x7A)
                if isLetterOrDigit { flush() } else if depth == 0 { run.append(e) }
                k += 2
                continue
            case UInt8(ascii: "["):
                flush()
                k += 1
                if k < p.count && p[k] == UInt8(ascii: "^") { k += 1 }
                if k < p.count && p[k] == UInt8(ascii: "]") { k += 1 }
                while k < p.count && p[k] != UInt8(ascii: "]") { k += p[k] == UInt8(ascii: "\\") ? 2 : 1 }
                k += 1
                continue
            case UInt8(ascii: "|"):
                if depth == 0 { return nil }
                flush()
            case UInt8(ascii: "("):
                depth += 1
                flush()
            case UInt8(ascii: ")"):
                depth -= 1
                flush()
            case UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "{"):
                if !run.isEmpty { run.removeLast() }
                flush()
                if c == UInt8(ascii: "{") { while k < p.count && p[k] != UInt8(ascii: "}") { k += 1 } }
            case UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                flush()
            default:
                if depth == 0 { run.append(c) } else { flush() }
            }
            k += 1
        }
        flush()
        guard best.count >= 1, best.allSatisfy({ $0 < 0x80 }) else { return nil }
        return best.map { asciiLower($0) }
    }
}

/// ASCII lowercase of one byte.
@inline(__always) func asciiLower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

extension Array where Element == UInt8 {
    /// Whether `needle` occurs contiguously in the array.
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= count else { return false }
        let first = needle[0]
        var i = 0
        let last = count - needle.count
        while i <= last {
            if self[i] == first {
                var j = 1
                while j < needle.count && self[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}

/// A `Regex` built on first use and kept; matches run under the lock (they take microseconds, and exec
/// commands are checked one at a time per turn).
private final class CompiledRegex: Sendable {
    private let regex = Mutex<Regex<AnyRegexOutput>?>(nil)

    /// Whether `text` contains a match; `make` builds the regex the first time. A pattern that no longer
    /// compiles (it compiled when the pattern was made) counts as a match: deny rather than allow.
    func firstMatch(in text: String, make: () throws -> Regex<AnyRegexOutput>) -> Bool {
        regex.withLock { regex in
            if regex == nil { regex = try? make() }
            guard let regex else { return true }
            return (try? regex.firstMatch(in: text)) != nil
        }
    }
}
