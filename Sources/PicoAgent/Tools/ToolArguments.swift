import PicoConfig

/// A missing or ill-typed tool argument; reported to the model as an error result.
public struct ToolArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The explanation (safe to print).
    public let message: String
    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }
    /// Human-readable text (safe to log).
    public var description: String { message }
}

/// The validated arguments object of a tool call.
public struct ToolArguments: Sendable, Equatable {
    /// The members of the arguments object.
    public let values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) { self.values = values }

    /// Parses the model's JSON text. Empty text counts as `{}`; anything but a JSON object is an error.
    public init(json text: String) throws(ToolArgumentError) {
        let trimmed = text.trimmedSpaces
        if trimmed.isEmpty { self.init(); return }
        guard let parsed = JSONValue.parse(trimmed) else {
            throw ToolArgumentError("arguments are not valid JSON: \(TextLimits.truncate(trimmed, to: 120))")
        }
        guard case .object(let members) = parsed else {
            throw ToolArgumentError("arguments must be a JSON object, got \(parsed.typeName)")
        }
        self.init(members)
    }

    /// A required string argument.
    public func string(_ key: String) throws(ToolArgumentError) -> String {
        guard let value = values[key], value != .null else {
            throw ToolArgumentError("missing required argument '\(key)' (string)")
        }
        guard case .string(let s) = value else {
            throw ToolArgumentError("argument '\(key)' must be a string, got \(value.typeName)")
        }
        return s
    }

    /// An optional string argument (`nil` when absent or null).
    public func optionalString(_ key: String) throws(ToolArgumentError) -> String? {
        guard let value = values[key], value != .null else { return nil }
        guard case .string(let s) = value else {
            throw ToolArgumentError("argument '\(key)' must be a string, got \(value.typeName)")
        }
        return s
    }

    /// An optional non-negative integer argument (integral numbers and digit strings accepted).
    public func optionalInt(_ key: String) throws(ToolArgumentError) -> Int? {
        guard let value = values[key], value != .null else { return nil }
        let n: Int? =
            switch value {
            case .number: value.integer
            case .string(let s): Int(s.trimmedSpaces)
            default: nil
            }
        guard let n, n >= 0 else {
            throw ToolArgumentError("argument '\(key)' must be a non-negative integer, got \(value.typeName)")
        }
        return n
    }
}
