import PicoSystem

/// `channels.<name>.dm_policy`: how direct messages from senders outside `allow_from` are treated.
public enum DMPolicy: String, Sendable, Equatable, CaseIterable {
    /// Only `allow_from` (and nobody else) may talk to the bot. The default.
    case allowlist
    /// A stranger's direct message gets a one-time pairing code; an owner approves it
    /// (`picoclaw pairing approve CODE` or `/pair approve CODE`). Groups never pair.
    case pairing
}

/// Who owns a channel: the users whose chat receives approval requests, budget notices and pairing requests,
/// and who may use owner commands (`/pair`).
///
/// `channels.<name>.owners` when set; otherwise the **first numeric id** in `channels.<name>.allow_from`.
/// Usernames and `"*"` never make anyone an owner.
public enum ChannelOwners {
    /// The owner ids of a channel.
    public static func resolve(owners: [String], allowFrom: [String], platform: String) -> [String] {
        let explicit = owners.compactMap { numericID($0, platform: platform) }
        if !explicit.isEmpty { return explicit }
        for entry in allowFrom { if let id = numericID(entry, platform: platform) { return [id] } }
        return []
    }

    /// The numeric id of an entry (`"123"`, `"telegram:123"`, `"123|name"`), or `nil`.
    static func numericID(_ raw: String, platform: String) -> String? {
        var entry = Substring(raw.trimmedSpaces)
        if let colon = entry.firstIndex(of: ":") {
            guard entry[..<colon].lowercased() == platform.lowercased() else { return nil }
            entry = entry[entry.index(after: colon)...]
        }
        if let bar = entry.firstIndex(of: "|") { entry = entry[..<bar] }
        guard !entry.isEmpty, entry.count <= 32, entry.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return String(entry)
    }
}
