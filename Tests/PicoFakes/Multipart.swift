/// One part of a `multipart/form-data` body.
public struct MultipartPart: Sendable {
    /// The form field name.
    public let name: String
    /// The file name, for file parts.
    public let filename: String?
    /// The part's `Content-Type`, if given.
    public let contentType: String?
    /// The part's bytes.
    public let data: [UInt8]
    /// The bytes as UTF-8 text.
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// Parses `multipart/form-data` (as the fakes receive uploads). Returns `nil` when the body is not well formed.
public enum MultipartParsing {
    public static func parse(_ body: [UInt8], contentType: String) -> [MultipartPart]? {
        guard let range = contentType.firstRange(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semi = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semi]) }
        boundary = boundary.trimmingSet("\" ")
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], Array(body[i..<(i + delimiter.count)]) == delimiter {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        var parts: [MultipartPart] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var s = start + delimiter.count
            guard s + 2 <= end, body[s] == 13, body[s + 1] == 10 else { return nil }
            s += 2
            let chunk = Array(body[s..<end])
            guard let split = find([13, 10, 13, 10], in: chunk) else { return nil }
            let head = String(decoding: chunk[..<split], as: UTF8.self)
            var data = Array(chunk[(split + 4)...])
            guard data.count >= 2, data.suffix(2) == [13, 10] else { return nil }
            data.removeLast(2)
            var name: String?
            var filename: String?
            var type: String?
            for line in head.split(separator: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = attribute("name", in: String(line))
                    filename = attribute("filename", in: String(line))
                } else if lower.hasPrefix("content-type:") {
                    type = String(line.dropFirst("content-type:".count)).trimmingSet(" ")
                }
            }
            guard let name else { return nil }
            parts.append(MultipartPart(name: name, filename: filename, contentType: type, data: data))
        }
        return parts
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    private static func attribute(_ key: String, in line: String) -> String? {
        guard let r = line.firstRange(of: "; \(key)=\"") else { return nil }
        let rest = line[r.upperBound...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }
}

extension String {
    func trimmingSet(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
