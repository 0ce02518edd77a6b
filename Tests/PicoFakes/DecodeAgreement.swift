/// Helpers for tests that check two decoders of one wire format agree: hostile variants of a JSON document, and
/// a description of a decoded value that ignores type names (so a reference `Decodable` copy of a type and the
/// product's type compare equal when every field matches).
public enum DecodeAgreement {
    /// `document` with one member or element changed at a time, at every depth: removed, `null`, a string, an
    /// integer, a negative, a fraction, a huge number, a boolean, an empty object and an empty array in its place.
    /// Each variant is compact JSON text.
    public static func variants(of document: String) -> [String] {
        guard let root = JSONValue.parse(document) else { return [] }
        let replacements: [JSONValue] = [.null, "x", 7, -1, 1.5, .number(1e30), true, [:], []]
        var out: [String] = []
        func visit(_ value: JSONValue, _ rebuild: @escaping (JSONValue?) -> JSONValue) {
            switch value {
            case .object(let members):
                for (key, member) in members {
                    let inner: (JSONValue?) -> JSONValue = { replacement in
                        var copy = members
                        copy[key] = replacement
                        return rebuild(.object(copy))
                    }
                    out.append(inner(nil).jsonString)
                    for r in replacements where r != member { out.append(inner(r).jsonString) }
                    visit(member, { inner($0 ?? .null) })
                }
            case .array(let items):
                for (i, item) in items.enumerated() {
                    let inner: (JSONValue?) -> JSONValue = { replacement in
                        var copy = items
                        if let replacement { copy[i] = replacement } else { copy.remove(at: i) }
                        return rebuild(.array(copy))
                    }
                    for r in replacements where r != item { out.append(inner(r).jsonString) }
                    visit(item, { inner($0 ?? .null) })
                }
            default:
                break
            }
        }
        visit(root, { $0 ?? .null })
        return out
    }

    /// Every stored property of `value`, recursively, by label (optionals unwrapped, `nil` as `nil`); type names
    /// are left out.
    public static func describe(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let some = mirror.children.first else { return "nil" }
            return describe(some.value)
        case .struct, .class:
            return "{" + mirror.children.map { "\($0.label ?? "?"):\(describe($0.value))" }.joined(separator: ",") + "}"
        case .collection:
            return "[" + mirror.children.map { describe($0.value) }.joined(separator: ",") + "]"
        case .dictionary:
            return "[" + mirror.children.map { describe($0.value) }.sorted().joined(separator: ",") + "]"
        case .tuple:
            return "(" + mirror.children.map { describe($0.value) }.joined(separator: ",") + ")"
        case .enum:
            guard let payload = mirror.children.first else { return String(reflecting: value) }
            return "\(payload.label ?? "?")(\(describe(payload.value)))"
        default:
            return String(reflecting: value)
        }
    }
}
