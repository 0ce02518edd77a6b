import Glibc

/// Per-sender usage for `limits.*` and `/usage`: messages per minute, and per UTC day messages, model calls,
/// tokens and cost (micro-dollars). Tables of component `"usage"` (``OwnerControlsSchema``).
extension StateStore {
    /// Counts one message of `sender`; returns the sender's messages in the current minute (this one included).
    /// Crash-safe, not waiting for the disk (it gets there with the next durable commit, e.g. the turn's reply).
    public func countMessage(channel: String, sender: String, now: Int64? = nil) async throws(StateError) -> Int {
        let at = now ?? unixNow()
        return try await commit(durable: false) { db throws(StateError) in
            try Self.countMessage(db, channel: channel, sender: sender, at: at)
        }
    }

    /// ``countMessage(channel:sender:now:)`` inside a write (the inbox commit of ``accept(_:cursor:durable:countingStart:)``).
    static func countMessage(
        _ db: StateDatabase, channel: String, sender: String, at: Int64
    ) throws(StateError) -> Int {
        let minute = at / 60
        if db.prunedMinute != minute {  // older minutes are dropped once per minute, not with every message
            try db.execute("DELETE FROM usage_minute WHERE minute < ?", [.integer(minute - 1)])
            db.prunedMinute = minute
        }
        let count = try db.queryOne(
            "INSERT INTO usage_minute(channel, sender, minute, messages) VALUES(?, ?, ?, 1) ON CONFLICT(channel, sender, minute) DO UPDATE SET messages = messages + 1 RETURNING messages",
            [.text(channel), .text(sender), .integer(minute)])?.int(0)
        try bumpDaily(db, utcDay(at), channel, sender, messages: 1)
        return Int(count ?? 0)
    }

    /// Adds one model call's tokens and cost to the sender's day (crash-safe, not waiting for the disk).
    public func recordModelCall(
        channel: String, sender: String, promptTokens: Int, completionTokens: Int,
        costMicroUSD: Int64, now: Int64? = nil
    ) async throws(StateError) {
        try await record(
            ModelCharge(
                channel: channel, sender: sender, promptTokens: promptTokens, completionTokens: completionTokens,
                costMicroUSD: costMicroUSD), now: now)
    }

    /// Adds `charge` to its sender's day (crash-safe, not waiting for the disk).
    public func record(_ charge: ModelCharge, now: Int64? = nil) async throws(StateError) {
        let at = now ?? unixNow()
        try await commit(durable: false) { db throws(StateError) in try Self.add(db, charge, at: at) }
    }

    /// Adds `charge` to its sender's day inside a write (the turn's commit of ``completeTurn(inboxID:session:reply:charge:)``).
    static func add(_ db: StateDatabase, _ charge: ModelCharge, at: Int64) throws(StateError) {
        try bumpDaily(
            db, utcDay(at), charge.channel, charge.sender, modelCalls: charge.modelCalls,
            prompt: charge.promptTokens, completion: charge.completionTokens, cost: charge.costMicroUSD)
    }

    /// The sender's figures for the UTC day of `now`.
    public func usage(channel: String, sender: String, now: Int64? = nil) async throws(StateError) -> UsageTotals {
        let day = Self.utcDay(now ?? unixNow())
        return try await read { db throws(StateError) in
            let row = try db.queryOne(
                "SELECT messages, model_calls, prompt_tokens, completion_tokens, cost_micro_usd FROM usage_daily WHERE day = ? AND channel = ? AND sender = ?",
                [.text(day), .text(channel), .text(sender)])
            return UsageTotals(day: day, channel: channel, sender: sender, row: row)
        }
    }

    /// Every sender's figures for the UTC day of `now`, most tokens first.
    public func usageToday(now: Int64? = nil) async throws(StateError) -> [UsageTotals] {
        let day = Self.utcDay(now ?? unixNow())
        return try await read { db throws(StateError) in
            try db.query(
                "SELECT messages, model_calls, prompt_tokens, completion_tokens, cost_micro_usd, channel, sender FROM usage_daily WHERE day = ? ORDER BY prompt_tokens + completion_tokens DESC",
                [.text(day)]
            ).map { UsageTotals(day: day, channel: $0.text(5) ?? "", sender: $0.text(6) ?? "", row: $0) }
        }
    }

    /// Records that the sender was told about limit `kind` today; `true` only the first time.
    public func firstLimitNotice(
        channel: String, sender: String, kind: String, now: Int64? = nil
    ) async throws(StateError) -> Bool {
        let day = Self.utcDay(now ?? unixNow())
        return try await commit(durable: true) { db throws(StateError) in
            try db.execute(
                "INSERT OR IGNORE INTO limit_notices(day, channel, sender, kind) VALUES(?, ?, ?, ?)",
                [.text(day), .text(channel), .text(sender), .text(kind)])
            return db.changes > 0
        }
    }

    static func bumpDaily(
        _ db: StateDatabase, _ day: String, _ channel: String, _ sender: String, messages: Int = 0,
        modelCalls: Int = 0, prompt: Int = 0, completion: Int = 0, cost: Int64 = 0
    ) throws(StateError) {
        try db.execute(
            """
            INSERT INTO usage_daily(day, channel, sender, messages, model_calls, prompt_tokens, completion_tokens, cost_micro_usd)
            VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(day, channel, sender) DO UPDATE SET
            messages = messages + excluded.messages, model_calls = model_calls + excluded.model_calls,
            prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
            cost_micro_usd = cost_micro_usd + excluded.cost_micro_usd
            """,
            [
                .text(day), .text(channel), .text(sender), .int(messages), .int(modelCalls), .int(prompt),
                .int(completion), .integer(cost),
            ])
    }

    /// `YYYY-MM-DD` (UTC) of a Unix time.
    public static func utcDay(_ at: Int64) -> String {
        var t = time_t(at)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ n: Int) -> String {
            String(repeating: "0", count: max(0, n - String(v).count)) + String(v)
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
    }
}

/// One sender's figures for one UTC day.
public struct UsageTotals: Sendable, Equatable {
    public let day: String
    public let channel: String
    public let sender: String
    public let messages: Int
    public let modelCalls: Int
    public let promptTokens: Int
    public let completionTokens: Int
    /// Spend in millionths of a US dollar.
    public let costMicroUSD: Int64

    /// Prompt plus completion tokens.
    public var tokens: Int { promptTokens + completionTokens }
    /// Spend in US dollars.
    public var costUSD: Double { Double(costMicroUSD) / 1_000_000 }

    /// Creates figures.
    public init(
        day: String, channel: String, sender: String, messages: Int, modelCalls: Int, promptTokens: Int,
        completionTokens: Int, costMicroUSD: Int64
    ) {
        self.day = day
        self.channel = channel
        self.sender = sender
        self.messages = messages
        self.modelCalls = modelCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.costMicroUSD = costMicroUSD
    }

    init(day: String, channel: String, sender: String, row: StateRow?) {
        self.day = day
        self.channel = channel
        self.sender = sender
        messages = Int(row?.int(0) ?? 0)
        modelCalls = Int(row?.int(1) ?? 0)
        promptTokens = Int(row?.int(2) ?? 0)
        completionTokens = Int(row?.int(3) ?? 0)
        costMicroUSD = row?.int(4) ?? 0
    }
}
