extension StringProtocol {
    /// Without leading and trailing characters for which `isTrimmed` is true.
    public func trimming(where isTrimmed: (Character) -> Bool) -> Substring {
        var s = Substring(self)
        while let f = s.first, isTrimmed(f) { s.removeFirst() }
        while let l = s.last, isTrimmed(l) { s.removeLast() }
        return s
    }

    /// Without leading and trailing characters from `set`.
    public func trimming(_ set: String) -> String { String(trimming(where: { set.contains($0) })) }

    /// Without leading and trailing spaces, tabs, CR and LF.
    public var trimmedSpaces: String {
        String(trimming(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }))
    }

    /// Without leading and trailing Unicode whitespace (`Character.isWhitespace`).
    public var trimmedWhitespace: String { String(trimming(where: { $0.isWhitespace })) }
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
