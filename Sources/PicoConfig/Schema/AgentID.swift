import PicoSystem

/// Agent id normalisation, as PicoClaw does it: result matches `[a-z0-9][a-z0-9_-]{0,63}`.
public enum AgentID {
    /// The id of the implicit agent when `agents.list` is empty (and of an empty id).
    public static let main = "main"

    /// Lower-cases, replaces each run of characters outside `[a-z0-9_-]` with `-`, trims leading
    /// non-alphanumerics and trailing `-`, truncates to 64 characters; empty → `main`.
    public static func normalize(_ raw: String) -> String {
        var out = ""
        var lastWasDash = false
        for scalar in raw.trimmedSpaces.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
            if ok {
                out.unicodeScalars.append(scalar)
                lastWasDash = scalar == "-"
            } else if !lastWasDash {
                out += "-"
                lastWasDash = true
            }
        }
        while let f = out.unicodeScalars.first, !(("a"..."z").contains(f) || ("0"..."9").contains(f)) {
            out.unicodeScalars.removeFirst()
        }
        if out.count > 64 { out = String(out.prefix(64)) }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? main : out
    }
}
