/// A minimal streaming JSON writer (keys in the order written, strings escaped per RFC 8259).
final class AuditJSONWriter {
    private(set) var output = ""
    private var needsComma: [Bool] = []

    func object(_ body: () -> Void) {
        separate()
        output += "{"
        needsComma.append(false)
        body()
        needsComma.removeLast()
        output += "}"
    }

    func array<T>(_ items: [T], _ body: (T) -> Void) {
        separate()
        output += "["
        needsComma.append(false)
        for item in items { body(item) }
        needsComma.removeLast()
        output += "]"
    }

    func key(_ name: String) {
        separate()
        output += Self.quoted(name) + ":"
        // The value that follows must not be preceded by a comma.
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = false }
        pendingValue = true
    }

    func string(_ s: String) { value(Self.quoted(s)) }
    func int(_ i: Int) { value(String(i)) }
    func bool(_ b: Bool) { value(b ? "true" : "false") }

    private var pendingValue = false

    private func value(_ text: String) {
        separate()
        output += text
    }

    private func separate() {
        if pendingValue {
            pendingValue = false
            if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
            return
        }
        if let last = needsComma.last, last { output += "," }
        if !needsComma.isEmpty { needsComma[needsComma.count - 1] = true }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
