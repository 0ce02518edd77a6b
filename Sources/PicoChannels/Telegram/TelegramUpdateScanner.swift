/// Splits a `getUpdates` reply into its updates without decoding them, so one update that cannot be decoded
/// (no `update_id`, nesting deeper than the JSON decoder allows, wrong types) costs only itself.
///
/// The scan is iterative (a depth counter, no recursion), so any nesting depth is safe. It understands just
/// enough JSON to find the top-level `"ok"` and `"result"` members, the byte range of each element of
/// `result`, and each element's own top-level `"update_id"`.
enum TelegramUpdateScanner {
    /// One element of `result`: its bytes and its `update_id` when it has an integer one at its top level.
    struct Element: Equatable {
        var bytes: ArraySlice<UInt8>
        var updateID: Int64?
    }

    /// The elements of `result` when `body` is an object with `"ok": true` and an array `result`; else `nil`.
    static func elements(_ body: [UInt8]) -> [Element]? {
        let i = skipSpace(body, 0)
        guard i < body.count, body[i] == UInt8(ascii: "{") else { return nil }
        var ok = false
        var result: [Element]?
        for member in members(body, from: i) {
            switch member.key {
            case "ok": ok = body[member.value].elementsEqual("true".utf8)
            case "result":
                guard member.value.first.map({ body[$0] == UInt8(ascii: "[") }) == true else { return nil }
                result = arrayElements(body, member.value).map {
                    Element(bytes: body[$0], updateID: updateID(body, $0))
                }
            default: break
            }
        }
        return ok ? result : nil
    }

    // MARK: - Scanning

    private typealias Member = (key: String, value: Range<Int>)

    /// The members of the object starting at `start` (keys unescaped only for plain ASCII keys, which is all
    /// we look for). Stops at the first syntax problem.
    private static func members(_ b: [UInt8], from start: Int) -> [Member] {
        var out: [Member] = []
        var i = skipSpace(b, start + 1)
        while i < b.count, b[i] == UInt8(ascii: "\"") {
            guard let keyEnd = stringEnd(b, i) else { return out }
            let key = String(decoding: b[(i + 1)..<(keyEnd - 1)], as: UTF8.self)
            i = skipSpace(b, keyEnd)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return out }
            i = skipSpace(b, i + 1)
            guard let valueEnd = valueEnd(b, i) else { return out }
            out.append((key, i..<valueEnd))
            i = skipSpace(b, valueEnd)
            guard i < b.count, b[i] == UInt8(ascii: ",") else { return out }
            i = skipSpace(b, i + 1)
        }
        return out
    }

    /// The byte ranges of the elements of the array `range`.
    private static func arrayElements(_ b: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = skipSpace(b, range.lowerBound + 1)
        while i < range.upperBound, b[i] != UInt8(ascii: "]") {
            guard let end = valueEnd(b, i) else { return out }
            out.append(i..<end)
            i = skipSpace(b, end)
            guard i < range.upperBound, b[i] == UInt8(ascii: ",") else { return out }
            i = skipSpace(b, i + 1)
        }
        return out
    }

    /// The integer `update_id` at the top level of the object `range`.
    private static func updateID(_ b: [UInt8], _ range: Range<Int>) -> Int64? {
        guard b[range.lowerBound] == UInt8(ascii: "{") else { return nil }
        for member in members(b, from: range.lowerBound) where member.key == "update_id" {
            return Int64(String(decoding: b[member.value], as: UTF8.self))
        }
        return nil
    }

    /// The end (exclusive) of the value starting at `start`: a string, a container (matched with a depth
    /// counter, skipping strings) or a scalar (up to the next delimiter).
    private static func valueEnd(_ b: [UInt8], _ start: Int) -> Int? {
        guard start < b.count else { return nil }
        switch b[start] {
        case UInt8(ascii: "\""):
            return stringEnd(b, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""):
                    guard let end = stringEnd(b, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < b.count, !isDelimiter(b[i]) { i += 1 }
            return i > start ? i : nil
        }
    }

    /// The end (exclusive, after the closing quote) of the string starting at `start`.
    private static func stringEnd(_ b: [UInt8], _ start: Int) -> Int? {
        var i = start + 1
        while i < b.count {
            if b[i] == UInt8(ascii: "\\") { i += 2; continue }
            if b[i] == UInt8(ascii: "\"") { return i + 1 }
            i += 1
        }
        return nil
    }

    private static func isDelimiter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09
            || c == 0x0A || c == 0x0D
    }

    private static func skipSpace(_ b: [UInt8], _ start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        return i
    }
}
