/// Identifies one conversation: PicoClaw's format `agent:<agentID>:<channel>:<kind>:<peerID>`, lower-cased.
public struct SessionKey: Sendable, Hashable, CustomStringConvertible, Comparable {
    /// The lower-cased key.
    public let rawValue: String

    /// Wraps an existing key (lower-cased, surrounding spaces removed).
    public init(_ rawValue: String) {
        self.rawValue = rawValue.trimmedSpaces.lowercased()
    }

    /// `agent:<agentID>:<channel>:<peerKind>:<peerID>` (kind `direct`, `group` or `channel`).
    public static func forPeer(agentID: String, channel: String, peerKind: String, peerID: String) -> SessionKey {
        SessionKey("agent:\(agentID):\(channel):\(peerKind):\(peerID)")
    }

    /// A key for agent `agentID`: `raw` unchanged when it already starts with `agent:`, else `agent:<agentID>:<raw>`
    /// (so the CLI's `--session cli:default` becomes `agent:main:cli:default`).
    public static func scoped(_ raw: String, agentID: String) -> SessionKey {
        let key = SessionKey(raw)
        return key.rawValue.hasPrefix("agent:") ? key : SessionKey("agent:\(agentID):\(key.rawValue)")
    }

    /// A safe file name stem: `:` becomes `_`; other characters outside `[a-z0-9._-]` become `-` and, when any
    /// were replaced, a hash of the full key is appended so distinct keys never share a file. At most 150 bytes.
    public var fileStem: String {
        var out = ""
        var lossy = false
        for scalar in rawValue.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "-", "_", ".": out.unicodeScalars.append(scalar)
            case ":": out += "_"
            default:
                out += "-"
                lossy = true
            }
        }
        while out.hasPrefix(".") { out.removeFirst(); lossy = true }
        if out.utf8.count > 120 { out = String(out.prefix(120)); lossy = true }
        if out.isEmpty { out = "session" }
        if lossy { out += "-" + SessionKey.fnv1a(rawValue) }
        return out
    }

    /// Human-readable text (safe to log).
    public var description: String { rawValue }

    public static func < (lhs: SessionKey, rhs: SessionKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// 64-bit FNV-1a as 16 hex digits (stable across runs, unlike `hashValue`).
    static func fnv1a(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
