/// A configuration problem that prevents start-up. Nothing is half-started when this is thrown.
///
/// Exit statuses (``exitCode``): `78` (EX_CONFIG) for ``Kind/insecurePermissions``; `1` for every other kind.
/// Messages never contain secret values or the content of `_FILE` files.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The category of the (first) problem.
    public enum Kind: String, Sendable, Equatable {
        /// The file is not valid JSON (message is `PATH:LINE:COL: invalid JSON: ...`).
        case malformedJSON
        /// A value has the wrong JSON type (message names the key path and the expected type).
        case typeMismatch
        /// A value is out of range or otherwise invalid (port, timeout, regex, log level...).
        case invalidValue
        /// A required key is missing (e.g. `agents.list[0].id`).
        case missingValue
        /// An environment variable is malformed, or both `X` and `X_FILE` are set.
        case environment
        /// A `_FILE`, the config file or the secrets env file cannot be read, or is empty.
        case unreadableFile
        /// The config file or secrets env file holds secrets and is accessible by others.
        case insecurePermissions
    }

    /// The category of the (first) problem.
    public let kind: Kind
    /// One line per problem; safe to print (no secret values).
    public let message: String
    /// The key path of the (first) problem when there is one, e.g. `gateway.port`.
    public let keyPath: String?

    /// Creates an error.
    public init(kind: Kind, message: String, keyPath: String? = nil) {
        self.kind = kind
        self.message = message
        self.keyPath = keyPath
    }

    /// The process exit status to use: 78 (EX_CONFIG) for insecure permissions, otherwise 1.
    public var exitCode: Int32 { kind == .insecurePermissions ? 78 : 1 }

    /// The message.
    public var description: String { message }

    /// Combines several problems into one error (kind and key path of the first, messages one per line).
    static func combined(_ errors: [ConfigError]) -> ConfigError {
        if errors.count == 1 { return errors[0] }
        let first = errors[0]
        return ConfigError(
            kind: first.kind, message: errors.map(\.message).joined(separator: "\n"), keyPath: first.keyPath)
    }
}
