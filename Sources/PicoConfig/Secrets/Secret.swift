/// A secret string (API key, bot token) that never prints itself.
///
/// `description`, `debugDescription`, string interpolation, `dump()` (via an empty `customMirror`)
/// and `Encodable` all produce `"<redacted>"` (or `""` for an empty secret). Call ``reveal()``
/// only where the value must leave the process, e.g. in an HTTP `Authorization` header.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable
{
    private let value: String

    /// Wraps a secret value.
    public init(_ value: String) { self.value = value }

    /// The empty secret (nothing configured).
    public static let empty = Secret("")

    /// The marker printed instead of a secret value.
    public static let redactedMarker = "<redacted>"

    /// `true` when no value is configured.
    public var isEmpty: Bool { value.isEmpty }

    /// The raw secret. Use only where the value must be sent (HTTP headers, URLs to the provider).
    public func reveal() -> String { value }

    /// Always `"<redacted>"` (or `""` when empty), never the value.
    public var description: String { value.isEmpty ? "" : Secret.redactedMarker }

    /// Always `Secret(<redacted>)`, never the value.
    public var debugDescription: String { value.isEmpty ? "Secret(empty)" : "Secret(\(Secret.redactedMarker))" }

    /// A mirror without children, so `dump()` and reflection-based printers cannot see the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Encodes as `"<redacted>"` (or `""` when empty).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
