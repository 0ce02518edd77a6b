/// Writes compact JSON straight into bytes (the request bodies of the hot paths, without `JSONEncoder`).
///
/// Commas are placed automatically: open a container, write members (`key` then a value) or elements, close it.
/// Strings are escaped per RFC 8259: `"` and `\` with a backslash, control characters as `\n`, `\t`, … or
/// `\u00XX`; everything else, `/` and non-ASCII included, is written as its UTF-8 bytes.
public struct JSONWriter {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object key; the next value written is its member's value.
    public mutating func key(_ key: String) {
        separate()
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        Self.appendString(value, to: &bytes)
        needsComma = true
    }

    public mutating func int(_ value: Int64) { literal(String(value)) }
    public mutating func int(_ value: Int) { literal(String(value)) }
    public mutating func bool(_ value: Bool) { literal(value ? "true" : "false") }
    public mutating func null() { literal("null") }

    /// A number (shortest round-trip text); `null` for infinities and NaN, which JSON cannot hold.
    public mutating func double(_ value: Double) {
        if value.isFinite { literal(String(value)) } else { null() }
    }

    /// A value that is already JSON text (e.g. a cached, pre-encoded array); written as is.
    public mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// A scalar written as its text (a number, `true`, `false`, `null`).
    private mutating func literal(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    /// Any ``JSONValue`` (object keys sorted).
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let text): literal(text)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for k in members.keys.sorted() {
                key(k)
                self.value(members[k]!)
            }
            endObject()
        }
    }

    // MARK: Members with optional values (absent when nil, like `encodeIfPresent`)

    public mutating func member(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    public mutating func member(_ key: String, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        int(value)
    }

    public mutating func member(_ key: String, _ value: Int?) {
        guard let value else { return }
        self.key(key)
        int(value)
    }

    public mutating func member(_ key: String, _ value: Bool?) {
        guard let value else { return }
        self.key(key)
        bool(value)
    }

    public mutating func member(_ key: String, _ value: Double?) {
        guard let value else { return }
        self.key(key)
        double(value)
    }

    // MARK: Helpers

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// Appends `s` as a JSON string literal, quotes included. Runs without a byte to escape are copied whole;
    /// they are found eight bytes at a time.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let n = utf8.count
            var runStart = 0
            var i = 0
            while i < n {
                while i + 8 <= n, !mayNeedEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) { i += 8 }
                guard i < n else { break }
                let b = base[i]
                i += 1
                guard b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 else { continue }
                out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - 1 - runStart))
                runStart = i
                appendEscape(b, to: &out)
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX` for a byte that must be escaped.
    private static func appendEscape(_ b: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(b)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            let low = b & 0x0F
            out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, 0x30 + (b >> 4)])
            out.append(low < 10 ? 0x30 + low : UInt8(ascii: "a") + low - 10)
        }
    }

    /// Whether one of the eight bytes of `word` may be `"`, `\\` or below 0x20 (never `false` when one is; the
    /// usual tests for a zero byte and for a byte below a bound, each exact for the word as a whole).
    private static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let below0x20 = (word &- ones &* 0x20) & ~word & highs != 0
        return below0x20 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
    }
}
