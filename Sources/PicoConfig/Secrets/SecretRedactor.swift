/// Replaces every loaded secret value in arbitrary text with `<redacted>`.
///
/// Built by ``ConfigLoader`` from every non-empty secret (API keys, bot tokens) whether it came from the
/// file, the environment, a `_FILE` or the secrets env file. For each secret it matches the raw value, its
/// URL-percent-encoded form and its JSON-escaped form. Secrets shorter than ``minimumLength`` (4) are
/// skipped so that tiny values cannot mangle ordinary text. Matching is a single left-to-right pass over
/// the UTF-8 bytes, longest needle first at each position; text without any match is returned unchanged
/// without copying. Cheap to copy (one array) and `Sendable`.
public struct SecretRedactor: Sendable {
    /// Secrets shorter than this many UTF-8 bytes are not redacted.
    public static let minimumLength = 4

    /// The replacement text.
    public static let replacement = "<redacted>"

    /// A redactor that changes nothing.
    public static let none = SecretRedactor(secretValues: [])

    /// Needles sorted by descending length.
    private let needles: [[UInt8]]
    /// `firstByte[b]` is true when some needle starts with byte `b`.
    private let firstByte: [Bool]

    /// Builds a redactor from raw secret values (empty and short values are ignored).
    public init(secretValues: [String]) {
        var set = Set<[UInt8]>()
        for value in secretValues where value.utf8.count >= SecretRedactor.minimumLength {
            set.insert(Array(value.utf8))
            set.insert(Array(SecretRedactor.percentEncoded(value).utf8))
            set.insert(Array(SecretRedactor.jsonEscaped(value).utf8))
        }
        needles = set.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        var table = [Bool](repeating: false, count: 256)
        for n in needles { table[Int(n[0])] = true }
        firstByte = table
    }

    /// Builds a redactor from secrets.
    public init(secrets: [Secret]) {
        self.init(secretValues: secrets.map { $0.reveal() })
    }

    /// `true` when there is nothing to redact.
    public var isEmpty: Bool { needles.isEmpty }

    /// Number of distinct byte patterns searched for (each secret contributes 1–3).
    public var patternCount: Int { needles.count }

    /// Returns `text` with every occurrence of a secret replaced by `<redacted>`.
    public func redact(_ text: String) -> String {
        if needles.isEmpty { return text }
        var text = text
        let redacted = firstByte.withUnsafeBufferPointer { starts in
            text.withUTF8 { buf -> String? in
                var out: [UInt8] = []
                var copied = 0
                var i = 0
                let n = buf.count
                while i < n {
                    if starts[Int(buf[i])], let len = match(buf, at: i) {
                        if out.isEmpty { out.reserveCapacity(n) }
                        out.append(contentsOf: buf[copied..<i])
                        out.append(contentsOf: SecretRedactor.replacement.utf8)
                        i += len
                        copied = i
                    } else {
                        i += 1
                    }
                }
                if copied == 0 { return nil }
                out.append(contentsOf: buf[copied..<n])
                return String(decoding: out, as: UTF8.self)
            }
        }
        return redacted ?? text
    }

    private func match(_ buf: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let remaining = buf.count - i
        outer: for needle in needles where needle.count <= remaining {
            for j in 0..<needle.count where buf[i + j] != needle[j] { continue outer }
            return needle.count
        }
        return nil
    }

    /// RFC 3986 percent-encoding (everything except unreserved characters).
    public static func percentEncoded(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The body of the value as a JSON string literal (without quotes), escaping `/` too.
    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        JSONValue.writeString(s, to: &out)
        return String(out.dropFirst().dropLast()).replacingOccurrencesOfSlash()
    }
}

private extension String {
    func replacingOccurrencesOfSlash() -> String {
        var out = ""
        for c in self { if c == "/" { out += "\\/" } else { out.append(c) } }
        return out
    }
}
