/// A `multipart/form-data` body (file uploads: Telegram `sendDocument`, Discord attachments, audio
/// transcription). Field and file names are sanitised (no quotes, CR or LF) so they cannot break the framing.
public struct MultipartForm: Sendable {
    /// The part separator (24 random characters).
    public let boundary: String
    private var body: [UInt8] = []

    /// Creates an empty form with a random boundary.
    public init() {
        var b = "picoclaw-"
        for _ in 0..<24 { b.append("abcdefghijklmnopqrstuvwxyz0123456789".randomElement()!) }
        boundary = b
    }

    /// Adds a text field.
    public mutating func add(_ name: String, _ value: String) {
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.clean(name))\"\r\n\r\n".utf8)
        body += Array(value.utf8) + [13, 10]
    }

    /// Adds a file.
    public mutating func add(_ name: String, filename: String, contentType: String, data: [UInt8]) {
        body += Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.clean(name))\"; "
                + "filename=\"\(Self.clean(filename))\"\r\nContent-Type: \(Self.clean(contentType))\r\n\r\n").utf8)
        body += data
        body += [13, 10]
    }

    /// The `Content-Type` header value.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The encoded body, closing delimiter included.
    public var encoded: [UInt8] { body + Array("--\(boundary)--\r\n".utf8) }

    /// A POST request carrying this form.
    public func request(_ url: String, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url, headers: headers + [HTTPHeader("Content-Type", contentType)], body: encoded)
    }

    private static func clean(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" && $0 != "\\" }.map(Character.init))
    }
}
