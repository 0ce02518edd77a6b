/// A member of a JSON document that is missing or has the wrong type, with the path to it (`message.chat.id`,
/// `choices.0.delta`). Never holds the value itself, so it can be logged.
public struct JSONReadError: Error, Equatable, CustomStringConvertible {
    /// Object keys and array indices from the document's root to the member.
    public var path: [String]
    /// What was wrong (`expected an integer, got string`, `missing`).
    public var problem: String

    public init(path: [String] = [], problem: String) {
        self.path = path
        self.problem = problem
    }

    /// The path joined with dots (empty for the root).
    public var pathText: String { path.joined(separator: ".") }

    public var description: String { path.isEmpty ? problem : "\(pathText): \(problem)" }

    /// The same error one level deeper, under `key`.
    func under(_ key: String) -> JSONReadError { JSONReadError(path: [key] + path, problem: problem) }
}

/// A type filled from a JSON object by ``JSONObjectReader`` (the wire envelopes of the hot paths, read without
/// `JSONDecoder`).
public protocol JSONReadable {
    init(json: JSONObjectReader) throws(JSONReadError)
}

/// Reads typed members of a JSON object with the rules `Decodable` applies: a required member must be present
/// and not `null`; an optional one may be absent or `null`, but when present it must have the right type; an
/// integer may be written `5`, `5.0` or `5e0` but must be exact and in range; nested failures carry their path.
public struct JSONObjectReader {
    /// The object's members.
    public let members: [String: JSONValue]

    /// `value` as an object, else a type error.
    public init(_ value: JSONValue) throws(JSONReadError) {
        guard case .object(let members) = value else {
            throw JSONReadError(problem: "expected an object, got \(value.typeName)")
        }
        self.members = members
    }

    /// Parses `bytes` and reads the document as `T` (syntax errors as ``JSONSyntaxError``, shape errors as
    /// ``JSONReadError``).
    public static func read<T: JSONReadable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try T(json: JSONObjectReader(try JSONParser.parse(bytes)))
    }

    /// Whether the member is present (even as `null`).
    public func contains(_ key: String) -> Bool { members[key] != nil }

    /// The member as it is (`nil` when absent or `null`).
    public func value(_ key: String) -> JSONValue? {
        guard let v = members[key], v != .null else { return nil }
        return v
    }

    // MARK: Scalars

    public func string(_ key: String) throws(JSONReadError) -> String { try required(key, string(ifPresent: key)) }

    public func string(ifPresent key: String) throws(JSONReadError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw mismatch(key, "a string", v) }
        return s
    }

    public func bool(_ key: String) throws(JSONReadError) -> Bool { try required(key, bool(ifPresent: key)) }

    public func bool(ifPresent key: String) throws(JSONReadError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw mismatch(key, "a boolean", v) }
        return b
    }

    public func int64(_ key: String) throws(JSONReadError) -> Int64 { try required(key, int64(ifPresent: key)) }

    public func int64(ifPresent key: String) throws(JSONReadError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard case .number(let text) = v, let n = Self.exactInteger(text) else { throw mismatch(key, "an integer", v) }
        return n
    }

    public func int(_ key: String) throws(JSONReadError) -> Int { try required(key, int(ifPresent: key)) }

    public func int(ifPresent key: String) throws(JSONReadError) -> Int? {
        guard let n = try int64(ifPresent: key) else { return nil }
        guard let i = Int(exactly: n) else { throw mismatch(key, "an integer", .number(String(n))) }
        return i
    }

    public func double(ifPresent key: String) throws(JSONReadError) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .number(let text) = v, let d = Double(text), d.isFinite else { throw mismatch(key, "a number", v) }
        return d
    }

    // MARK: Nested values

    /// A required nested object.
    public func object<T: JSONReadable>(_ key: String, as: T.Type = T.self) throws(JSONReadError) -> T {
        try required(key, object(ifPresent: key, as: T.self))
    }

    /// An optional nested object.
    public func object<T: JSONReadable>(ifPresent key: String, as: T.Type = T.self) throws(JSONReadError) -> T? {
        guard let v = value(key) else { return nil }
        do {
            return try T(json: JSONObjectReader(v))
        } catch {
            throw error.under(key)
        }
    }

    /// An optional array of objects.
    public func array<T: JSONReadable>(ifPresent key: String, of: T.Type = T.self) throws(JSONReadError) -> [T]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw mismatch(key, "an array", v) }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            do {
                out.append(try T(json: JSONObjectReader(item)))
            } catch {
                throw error.under(String(i)).under(key)
            }
        }
        return out
    }

    // MARK: Helpers

    private func required<T>(_ key: String, _ value: T?) throws(JSONReadError) -> T {
        guard let value else {
            throw JSONReadError(path: [key], problem: members[key] == nil ? "missing" : "expected a value, got null")
        }
        return value
    }

    private func mismatch(_ key: String, _ expected: String, _ got: JSONValue) -> JSONReadError {
        JSONReadError(path: [key], problem: "expected \(expected), got \(got.typeName)")
    }

    /// The integer a JSON number stands for when it is exact and fits `Int64` (`12`, `-3`, `5.0`, `1e3`).
    static func exactInteger(_ text: String) -> Int64? {
        if let n = Int64(text) { return n }
        guard let d = Double(text), d.rounded() == d, d >= -0x1p63, d < 0x1p63 else { return nil }
        return Int64(d)
    }
}
