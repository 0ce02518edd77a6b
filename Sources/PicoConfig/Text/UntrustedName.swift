/// Names chosen by other people (Telegram usernames and display names, Discord names): safe to put in a log
/// line or in front of the model as data.
public enum UntrustedName {
    /// Longest name kept, in Unicode scalars (Telegram allows 64 for a name; longer is never legitimate).
    public static let maxLength = 64

    /// `text` without control characters (C0, DEL, C1, bidi overrides and other format characters that could
    /// rewrite a log line or a terminal), whitespace runs (newlines, tabs, line separators) collapsed to one space,
    /// trimmed and capped at ``maxLength`` scalars (with `…`). `nil` stays `nil`; a name with nothing left is `nil`.
    public static func sanitize(_ text: String?) -> String? {
        guard let text else { return nil }
        return isPlain(text) ? text : sanitizeScalars(text)
    }

    /// ``sanitize(_:)`` scalar by scalar.
    static func sanitizeScalars(_ text: String) -> String? {
        var out = String.UnicodeScalarView()
        var count = 0
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
            if scalar.properties.generalCategory == .format { continue }  // bidi overrides, zero-width joiners
            if count >= maxLength {
                out.append("…")
                break
            }
            if pendingSpace { out.append(" "); count += 1; pendingSpace = false }
            out.append(scalar)
            count += 1
        }
        return out.isEmpty ? nil : String(out)
    }

    /// Printable ASCII words with single spaces between them, at most ``maxLength`` long: what `sanitize` returns
    /// unchanged (most names), told from the bytes without the per-scalar property look-ups.
    static func isPlain(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength, utf8.first != 0x20, utf8.last != 0x20 else { return false }
        var previous: UInt8 = 0
        for b in utf8 {
            guard b >= 0x20, b < 0x7F, !(b == 0x20 && previous == 0x20) else { return false }
            previous = b
        }
        return true
    }
}
