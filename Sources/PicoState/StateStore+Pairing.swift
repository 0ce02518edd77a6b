/// Pairing (`channels.<ch>.dm_policy: pairing`): one-time codes for strangers' direct messages and the senders an
/// owner approved. Tables of component `"pairing"` (``OwnerControlsSchema``).
extension StateStore {
    /// Codes use this alphabet: no 0/O, 1/I/L, so a code read aloud or typed is never ambiguous.
    public static let pairingAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    /// Characters per code.
    public static let pairingCodeLength = 8

    /// Asks for a pairing code for a stranger's direct message, in one transaction:
    /// already paired → ``PairingOutcome/paired``; a code issued to this sender within `quiet` seconds (pending or
    /// expired) → ``PairingOutcome/alreadyIssued`` (no new code, no answer); `maxPending` unexpired codes on the
    /// channel → ``PairingOutcome/tooManyPending``; otherwise a new code valid for `ttl` seconds.
    public func requestPairing(
        channel: String, sender: String, username: String?, chat: String,
        ttl: Int64 = 3600, maxPending: Int = 3, quiet: Int64 = 86_400,
        now: Int64? = nil
    ) async throws(StateError) -> PairingOutcome {
        let at = now ?? unixNow()
        let code = Self.newPairingCode()
        return try await commit(durable: true) { db throws(StateError) in
            if try db.queryOne(
                "SELECT 1 FROM paired WHERE channel = ? AND sender = ?", [.text(channel), .text(sender)]) != nil
            {
                return .paired
            }
            try db.execute("DELETE FROM pairing_requests WHERE created_at < ?", [.integer(at - max(quiet, 3600))])
            if try db.queryOne(
                "SELECT 1 FROM pairing_requests WHERE channel = ? AND sender = ? AND created_at >= ?",
                [.text(channel), .text(sender), .integer(at - quiet)]) != nil
            {
                return .alreadyIssued
            }
            let pending =
                try db.queryOne(
                    "SELECT count(*) FROM pairing_requests WHERE channel = ? AND expires_at > ?",
                    [.text(channel), .integer(at)])?.int(0) ?? 0
            guard pending < maxPending else { return .tooManyPending }
            try db.execute(
                "INSERT INTO pairing_requests(code, channel, sender, username, chat, created_at, expires_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                [
                    .text(code), .text(channel), .text(sender), .optional(username), .text(chat), .integer(at),
                    .integer(at + ttl),
                ])
            return .issued(code: code, expiresAt: at + ttl)
        }
    }

    /// Whether `sender` is paired on `channel`.
    public func isPaired(channel: String, sender: String) async throws(StateError) -> Bool {
        try await read { db throws(StateError) in
            try db.queryOne("SELECT 1 FROM paired WHERE channel = ? AND sender = ?", [.text(channel), .text(sender)])
                != nil
        }
    }

    /// Approves an unexpired code (case-insensitive, spaces and dashes ignored); `nil` when no such code is pending.
    public func approvePairing(
        code: String, approver: String, now: Int64? = nil
    ) async throws(StateError) -> PairedSender? {
        let at = now ?? unixNow()
        let normalized = String(code.uppercased().filter { $0 != " " && $0 != "-" })
        return try await commit(durable: true) { db throws(StateError) in
            guard
                let row = try db.queryOne(
                    "SELECT channel, sender, username, chat FROM pairing_requests WHERE code = ? AND expires_at > ?",
                    [.text(normalized), .integer(at)])
            else { return nil }
            let paired = PairedSender(
                channel: row.text(0) ?? "", sender: row.text(1) ?? "", username: row.text(2),
                chat: row.text(3) ?? "", approvedAt: at, approvedBy: approver)
            try db.execute(
                "INSERT INTO paired(channel, sender, username, chat, approved_at, approved_by) VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(channel, sender) DO UPDATE SET approved_at = excluded.approved_at, approved_by = excluded.approved_by",
                [
                    .text(paired.channel), .text(paired.sender), .optional(paired.username), .text(paired.chat),
                    .integer(at), .text(approver),
                ])
            try db.execute("DELETE FROM pairing_requests WHERE code = ?", [.text(normalized)])
            return paired
        }
    }

    /// Removes a pairing: `id` is a sender id, or `<channel>:<sender id>`. Returns the removed pairings.
    public func revokePairing(_ id: String) async throws(StateError) -> [PairedSender] {
        let parts = id.split(separator: ":", maxSplits: 1).map(String.init)
        let (channel, sender) = parts.count == 2 ? (Optional(parts[0]), parts[1]) : (nil, id)
        return try await commit(durable: true) { db throws(StateError) in
            let removed = try Self.pairedRows(db).filter {
                $0.sender == sender && (channel == nil || $0.channel == channel)
            }
            for p in removed {
                try db.execute(
                    "DELETE FROM paired WHERE channel = ? AND sender = ?", [.text(p.channel), .text(p.sender)])
            }
            return removed
        }
    }

    /// Codes not yet expired, oldest first.
    public func pendingPairings(now: Int64? = nil) async throws(StateError) -> [PairingRequest] {
        let at = now ?? unixNow()
        return try await read { db throws(StateError) in
            try db.query(
                "SELECT code, channel, sender, username, created_at, expires_at FROM pairing_requests WHERE expires_at > ? ORDER BY created_at",
                [.integer(at)]
            ).map {
                PairingRequest(
                    code: $0.text(0) ?? "", channel: $0.text(1) ?? "", sender: $0.text(2) ?? "",
                    username: $0.text(3), createdAt: $0.int(4), expiresAt: $0.int(5))
            }
        }
    }

    /// Every paired sender, by channel and approval time.
    public func pairedSenders() async throws(StateError) -> [PairedSender] {
        try await read { db throws(StateError) in try Self.pairedRows(db) }
    }

    static func pairedRows(_ db: StateDatabase) throws(StateError) -> [PairedSender] {
        try db.query(
            "SELECT channel, sender, username, chat, approved_at, approved_by FROM paired ORDER BY channel, approved_at"
        ).map {
            PairedSender(
                channel: $0.text(0) ?? "", sender: $0.text(1) ?? "", username: $0.text(2), chat: $0.text(3) ?? "",
                approvedAt: $0.int(4), approvedBy: $0.text(5) ?? "")
        }
    }

    /// A fresh code from the kernel's random source.
    static func newPairingCode() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<pairingCodeLength).map { _ in pairingAlphabet.randomElement(using: &rng)! })
    }
}

/// The result of ``StateStore/requestPairing(channel:sender:username:chat:ttl:maxPending:quiet:now:)``.
public enum PairingOutcome: Sendable, Equatable {
    /// A new code for the stranger.
    case issued(code: String, expiresAt: Int64)
    /// This sender already got a code recently: answer nothing.
    case alreadyIssued
    /// The channel has the maximum of pending codes: answer nothing.
    case tooManyPending
    /// The sender is paired.
    case paired
}

/// A pending pairing code.
public struct PairingRequest: Sendable, Equatable {
    public let code: String
    public let channel: String
    public let sender: String
    public let username: String?
    public let createdAt: Int64
    public let expiresAt: Int64
}

/// A sender an owner approved.
public struct PairedSender: Sendable, Equatable {
    public let channel: String
    public let sender: String
    public let username: String?
    /// The direct chat the sender wrote from.
    public let chat: String
    public let approvedAt: Int64
    /// Who approved (`cli:<user>` or `<channel>:<owner id>`).
    public let approvedBy: String
}

/// The tables of pairing, usage and standing command approvals. Pass ``migrations`` to ``StateStore/open(directory:migrations:)``.
public enum OwnerControlsSchema {
    /// Components `pairing` and `usage`, version 1.
    public static let migrations: [StateMigration] = [
        StateMigration(
            component: "pairing", version: 1,
            sql: """
                CREATE TABLE pairing_requests(
                    code TEXT PRIMARY KEY,
                    channel TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    username TEXT,
                    chat TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL);
                CREATE INDEX pairing_requests_by_sender ON pairing_requests(channel, sender);
                CREATE TABLE paired(
                    channel TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    username TEXT,
                    chat TEXT NOT NULL,
                    approved_at INTEGER NOT NULL,
                    approved_by TEXT NOT NULL,
                    PRIMARY KEY(channel, sender))
                """),
        StateMigration(
            component: "usage", version: 1,
            sql: """
                CREATE TABLE usage_daily(
                    day TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    messages INTEGER NOT NULL DEFAULT 0,
                    model_calls INTEGER NOT NULL DEFAULT 0,
                    prompt_tokens INTEGER NOT NULL DEFAULT 0,
                    completion_tokens INTEGER NOT NULL DEFAULT 0,
                    cost_micro_usd INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY(day, channel, sender));
                CREATE TABLE usage_minute(
                    channel TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    minute INTEGER NOT NULL,
                    messages INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY(channel, sender, minute));
                CREATE TABLE limit_notices(
                    day TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    PRIMARY KEY(day, channel, sender, kind))
                """),
        StateMigration(
            component: "approvals", version: 1,
            sql: """
                CREATE TABLE approval_rules(
                    hash TEXT PRIMARY KEY,
                    argv TEXT NOT NULL,
                    cwd TEXT NOT NULL,
                    approved_by TEXT NOT NULL,
                    approved_at INTEGER NOT NULL)
                """),
    ]
}
