import PicoSystem

/// Who may talk to the bot on one platform (`channels.<name>.allow_from`).
///
/// Entries (trimmed; blank entries are ignored):
/// - a numeric user id (`"123456789"`) — the safe form;
/// - `"*"` — everyone (explicit opt-in);
/// - a platform-prefixed id (`"telegram:123"`, `"discord:123"`) — ids for another platform are ignored;
/// - `"id|username"` (PicoClaw's compound form) — matched by the id part only;
/// - `"@name"` or `"name"` — a *weak* username entry, matched case-insensitively. Usernames can be changed and
///   reassigned, so such matches are reported (logged once) and ids are preferred.
///
/// Unlike PicoClaw, an empty list allows **no one**.
public struct Allowlist: Sendable, Equatable {
    /// The channel this list is for (`"telegram"`, `"discord"`).
    public let platform: String
    /// Numeric ids that are allowed.
    public let ids: Set<String>
    /// Lower-cased usernames (without `@`) that are allowed (weak).
    public let usernames: Set<String>
    /// Whether `"*"` was given.
    public let allowsEveryone: Bool
    /// Entries that were ignored, with the reason (for a start-up log line).
    public let ignoredEntries: [String]

    /// Parses `entries` for `platform`.
    public init(_ entries: [String], platform: String) {
        self.platform = platform.lowercased()
        var ids = Set<String>(), names = Set<String>(), everyone = false, ignored: [String] = []
        for raw in entries {
            var entry = Substring(raw.trimming(" \t\r\n"))
            guard !entry.isEmpty else { continue }
            if entry == "*" { everyone = true; continue }
            // "telegram:123" — a platform prefix made of letters.
            if let colon = entry.firstIndex(of: ":") {
                let prefix = entry[..<colon]
                if !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter }) {
                    guard prefix.lowercased() == self.platform else {
                        ignored.append("\(raw) (for another platform)")
                        continue
                    }
                    entry = entry[entry.index(after: colon)...]
                }
            }
            var weak = false
            if entry.hasPrefix("@") { entry = entry.dropFirst(); weak = true }
            if let bar = entry.firstIndex(of: "|") {
                let idPart = entry[..<bar]
                if Self.isNumericID(idPart) {
                    ids.insert(String(idPart))
                } else {
                    ignored.append("\(raw) (id part is not numeric)")
                }
                continue
            }
            if !weak, Self.isNumericID(entry) {
                ids.insert(String(entry))
            } else if Self.isUsername(entry) {
                names.insert(entry.lowercased())
            } else {
                ignored.append("\(raw) (neither a numeric id nor a username)")
            }
        }
        self.ids = ids
        self.usernames = names
        self.allowsEveryone = everyone
        self.ignoredEntries = ignored
    }

    /// Whether nobody at all is allowed.
    public var isEmpty: Bool { ids.isEmpty && usernames.isEmpty && !allowsEveryone }

    /// Decides whether a sender may talk to the bot. Ids win over usernames.
    public func decide(senderID: String, username: String?) -> AllowDecision {
        if ids.contains(senderID) { return .allowed(.byID) }
        if allowsEveryone { return .allowedEveryone }
        if let username, !username.isEmpty {
            let name = username.hasPrefix("@") ? String(username.dropFirst()) : username
            if usernames.contains(name.lowercased()) { return .allowed(.byUsername) }
        }
        return .refused
    }

    static func isNumericID<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.count <= 32 && s.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func isUsername<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.count <= 64
            && s.unicodeScalars.allSatisfy {
                ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "." || $0 == "-")
            }
    }
}

/// The outcome of `Allowlist.decide`.
public enum AllowDecision: Sendable, Equatable {
    /// Allowed by an entry; see `AllowMatch` for how strong the match is.
    case allowed(AllowMatch)
    /// Allowed because the list contains `"*"`.
    case allowedEveryone
    /// Not allowed: the message must not reach an agent.
    case refused

    /// Whether the message may proceed.
    public var isAllowed: Bool { self != .refused }
}

/// How an allowed sender was matched.
public enum AllowMatch: Sendable, Equatable {
    /// By numeric user id (strong).
    case byID
    /// By username (weak: usernames can be reassigned).
    case byUsername
}
