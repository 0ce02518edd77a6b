/// A value bound to, or read from, a SQL statement.
public enum StateValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    /// The integer, if this is one.
    public var integer: Int64? { if case .integer(let v) = self { v } else { nil } }
    /// The text, if this is text.
    public var text: String? { if case .text(let v) = self { v } else { nil } }
}

extension StateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension StateValue {
    /// Text or `null`.
    public static func optional(_ text: String?) -> StateValue { text.map { .text($0) } ?? .null }
    /// An `Int` as an integer.
    public static func int(_ value: Int) -> StateValue { .integer(Int64(value)) }
}

/// One result row: values by column position.
public struct StateRow: Sendable, Equatable {
    /// The column values in `SELECT` order.
    public let values: [StateValue]

    /// The value at `index` (`.null` when out of range).
    public subscript(_ index: Int) -> StateValue { index < values.count ? values[index] : .null }
    /// Integer at `index` (`0` when not an integer).
    public func int(_ index: Int) -> Int64 { self[index].integer ?? 0 }
    /// Text at `index` (`nil` when not text).
    public func text(_ index: Int) -> String? { self[index].text }
}
