extension StringProtocol {
    /// Without leading and trailing characters for which `isTrimmed` is true.
    public func trimming(where isTrimmed: (Character) -> Bool) -> Substring {
        var s = Substring(self)
        while let f = s.first, isTrimmed(f) { s.removeFirst() }
        while let l = s.last, isTrimmed(l) { s.removeLast() }
        return s
    }

    /// Without leading and trailing characters from `set`.
    public func trimming(_ set: String) -> String {
        guard let bytes = ASCIITrimSet.of(set) else { return String(trimming(where: { set.contains($0) })) }
        return String(trimming(bytes, else: { set.contains($0) }))
    }

    /// Without leading and trailing spaces, tabs, CR and LF.
    public var trimmedSpaces: String {
        String(trimming(.spaces, else: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
    }

    /// Without leading and trailing Unicode whitespace (`Character.isWhitespace`).
    public var trimmedWhitespace: String { String(trimming(where: { $0.isWhitespace })) }

    /// ``trimming(where:)`` for a set of ASCII characters, decided on the UTF-8 bytes wherever that gives the same
    /// characters: in ASCII text every byte is a `Character` of its own except CR LF, which is one; next to a
    /// non-ASCII scalar (which may join the ASCII one into a cluster) `isTrimmed` decides on the `Character`.
    func trimming(_ set: ASCIITrimSet, else isTrimmed: (Character) -> Bool) -> Substring {
        let s = Substring(self)
        let cut = s.utf8.withContiguousStorageIfAvailable { b -> (lo: Int, hi: Int, exact: Bool) in
            var lo = 0
            var hi = b.count
            var exact = true
            while lo < hi {
                let c = b[lo]
                if c >= 0x80 { break }  // a cluster with a non-ASCII scalar is never in an ASCII set
                if lo + 1 < hi {
                    let next = b[lo + 1]
                    if next >= 0x80 {  // may extend `c`: the Character decides
                        exact = false
                        break
                    }
                    if c == 0x0D, next == 0x0A {
                        guard set.crlf else { break }
                        lo += 2
                        continue
                    }
                }
                guard set.contains(c) else { break }
                lo += 1
            }
            while exact, hi > lo {
                let c = b[hi - 1]
                if c >= 0x80 { break }
                if hi - 1 > lo {
                    let previous = b[hi - 2]
                    if previous >= 0x80 {  // may be a prefix joined to `c`: the Character decides
                        exact = false
                        break
                    }
                    if previous == 0x0D, c == 0x0A {
                        guard set.crlf else { break }
                        hi -= 2
                        continue
                    }
                }
                guard set.contains(c) else { break }
                hi -= 1
            }
            return (lo, hi, exact)
        }
        guard let cut else { return trimming(where: isTrimmed) }
        if cut.exact, cut.lo == 0, cut.hi == s.utf8.count { return s }  // nothing to trim
        let u = s.utf8
        let rest = s[u.index(u.startIndex, offsetBy: cut.lo)..<u.index(u.startIndex, offsetBy: cut.hi)]
        return cut.exact ? rest : rest.trimming(where: isTrimmed)
    }
}

/// A set of ASCII characters to trim, by byte; CR LF counts as one character (as in a `String`), so "\r\n" in the
/// set's text is that character, not CR and LF.
struct ASCIITrimSet {
    private var low: UInt64 = 0
    private var high: UInt64 = 0
    /// The CR LF character is in the set.
    private(set) var crlf = false

    /// Spaces, tabs, a lone CR and a lone LF (not CR LF).
    static let spaces = ASCIITrimSet(bytes: [0x20, 0x09, 0x0A, 0x0D])

    private init(bytes: [UInt8]) {
        for b in bytes { insert(b) }
    }

    /// The characters of `text`, the sets callers use most taken ready-made; `nil` when one is not ASCII.
    static func of(_ text: String) -> ASCIITrimSet? {
        switch text {
        case " \t": return spaceTab
        case " \t\r\n": return spaceTabCRLF
        default: return ASCIITrimSet(text)
        }
    }
    private static let spaceTab = ASCIITrimSet(bytes: [0x20, 0x09])
    private static let spaceTabCRLF = ASCIITrimSet(" \t\r\n")

    /// The characters of `text`; `nil` when one is not ASCII.
    init?(_ text: String) {
        var previousCR = false
        for b in text.utf8 {
            guard b < 0x80 else { return nil }
            if previousCR, b == 0x0A {
                crlf = true
                previousCR = false
                continue
            }
            if previousCR { insert(0x0D) }
            previousCR = b == 0x0D
            if !previousCR { insert(b) }
        }
        if previousCR { insert(0x0D) }
    }

    private mutating func insert(_ b: UInt8) {
        if b < 64 { low |= 1 << UInt64(b) } else { high |= 1 << UInt64(b - 64) }
    }

    func contains(_ b: UInt8) -> Bool {
        b < 64 ? low & (1 << UInt64(b)) != 0 : high & (1 << UInt64(b - 64)) != 0
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (left to right, not overlapping).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}
