/// Strict UTF-8 validation with the position of the first bad byte, so errors can point at it.
enum UTF8Check {
    /// The byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms, surrogates,
    /// truncated sequences and values above U+10FFFF are invalid), or `nil` when all of `bytes` is valid.
    static func firstInvalidOffset<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        if let offset = bytes.withContiguousStorageIfAvailable({ firstInvalidOffset(in: $0) }) { return offset }
        return Array(bytes).withUnsafeBufferPointer { firstInvalidOffset(in: $0) }
    }

    /// RFC 3629's well-formed byte sequences, checked in one pass with a fast path for ASCII.
    static func firstInvalidOffset(in b: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = b.count
        var i = 0
        while i < n {
            let b0 = b[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= n, b[i + 1] >= low, b[i + 1] <= high else { return i }
            for k in 2..<length where b[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
