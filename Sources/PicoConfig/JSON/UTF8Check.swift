/// Strict UTF-8 validation with the position of the first bad byte, so errors can point at it.
enum UTF8Check {
    /// The byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms, surrogates,
    /// truncated sequences and values above U+10FFFF are invalid), or `nil` when all of `bytes` is valid.
    static func firstInvalidOffset<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
