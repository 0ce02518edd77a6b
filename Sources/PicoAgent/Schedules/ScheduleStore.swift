import PicoState
import PicoSystem
import Synchronization

/// One stored schedule.
public struct ScheduleEntry: Sendable, Equatable {
    public var id: Int64
    public var agent: String
    /// `<channel>:<sender id>`: who created it (limits and the model's list/cancel are per owner).
    public var owner: String
    public var channel: String
    public var chat: String
    public var timing: ScheduleTiming
    /// `turn`: run a turn with ``text`` in the chat; `text`: send ``text`` as it is.
    public var action: String
    public var text: String
    /// Time zone name the timing is read in (`""`: the system zone).
    public var zone: String
    /// The next occurrence (seconds since the epoch).
    public var nextRun: Int64
    /// When it was created (the base of `every`).
    public var createdAt: Int64
    /// The channel message it was created from (JSON), the template of each firing.
    public var origin: String

    public init(
        id: Int64, agent: String, owner: String, channel: String, chat: String, timing: ScheduleTiming,
        action: String, text: String, zone: String, nextRun: Int64, createdAt: Int64, origin: String
    ) {
        self.id = id
        self.agent = agent
        self.owner = owner
        self.channel = channel
        self.chat = chat
        self.timing = timing
        self.action = action
        self.text = text
        self.zone = zone
        self.nextRun = nextRun
        self.createdAt = createdAt
        self.origin = origin
    }
}

/// Schedules in the gateway's state store (component `schedules`). Firing is exactly once per occurrence: the
/// gateway records the occurrence as an inbox message whose id names schedule and occurrence (recording it twice
/// is a no-op) and only then moves ``ScheduleEntry/nextRun``.
public struct ScheduleStore: Sendable {
    public let store: StateStore
    /// Schedules one sender may have at once.
    public let maxPerOwner: Int

    static let migrations = [
        StateMigration(
            component: "schedules", version: 1,
            sql: """
                CREATE TABLE schedules(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    agent TEXT NOT NULL, owner TEXT NOT NULL, channel TEXT NOT NULL, chat TEXT NOT NULL,
                    kind TEXT NOT NULL, spec TEXT NOT NULL, action TEXT NOT NULL, text TEXT NOT NULL, zone TEXT NOT NULL,
                    next_run INTEGER NOT NULL, created_at INTEGER NOT NULL, origin TEXT NOT NULL);
                CREATE INDEX schedules_due ON schedules(next_run);
                CREATE INDEX schedules_owner ON schedules(owner)
                """)
    ]
    private static let migrated = Mutex<Set<String>>([])
    static let changes = ChangeSignal<UInt64>(0)

    /// Grows whenever this process creates a schedule, so the gateway's runner knows when to look again.
    public static var changeCount: UInt64 { changes.value }

    /// Returns once ``changeCount`` differs from `seen` (at once when it already does), or when the task is
    /// cancelled: the runner sleeping until the next due schedule wakes for a new, earlier one.
    public static func change(after seen: UInt64) async { await changes.change(after: seen) }

    public init(store: StateStore, maxPerOwner: Int = 20) {
        self.store = store
        self.maxPerOwner = max(1, maxPerOwner)
    }

    /// Creates the table when needed (once per process and database).
    public func prepare() async throws {
        if ScheduleStore.migrated.withLock({ $0.contains(store.path) }) { return }
        try await store.migrate(ScheduleStore.migrations)
        _ = ScheduleStore.migrated.withLock { $0.insert(store.path) }
    }

    /// Why a schedule could not be created (safe to show the model).
    public struct LimitReached: Error, Sendable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "you already have \(limit) schedules, the most allowed; cancel one first" }
    }

    /// Stores a new schedule (the limit is checked in the same transaction). `entry.id` is ignored.
    public func create(_ entry: ScheduleEntry) async throws -> ScheduleEntry {
        try await prepare()
        let limit = maxPerOwner
        let id: Int64? = try await store.write { db throws(StateError) in
            let count =
                try db.queryOne("SELECT count(*) FROM schedules WHERE owner = ?", [.text(entry.owner)])?.int(0) ?? 0
            guard count < limit else { return nil }
            try db.execute(
                """
                INSERT INTO schedules(agent, owner, channel, chat, kind, spec, action, text, zone, next_run, created_at, origin)
                VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(entry.agent), .text(entry.owner), .text(entry.channel), .text(entry.chat),
                    .text(entry.timing.kind), .text(entry.timing.spec), .text(entry.action), .text(entry.text),
                    .text(entry.zone), .integer(entry.nextRun), .integer(entry.createdAt), .text(entry.origin),
                ])
            return db.lastInsertRowID
        }
        guard let id else { throw LimitReached(limit: limit) }
        ScheduleStore.changes.update { $0 &+= 1 }
        var stored = entry
        stored.id = id
        return stored
    }

    /// Schedules of `owner` (every schedule when `nil`), by id.
    public func list(owner: String? = nil) async throws -> [ScheduleEntry] {
        try await prepare()
        return try await store.read { db throws(StateError) in
            try db.query(
                "SELECT \(ScheduleStore.columns) FROM schedules WHERE ?1 IS NULL OR owner = ?1 ORDER BY id",
                [.optional(owner)]
            ).compactMap(ScheduleStore.entry)
        }
    }

    /// Schedules due at `now`, oldest occurrence first.
    public func due(now: Int64) async throws -> [ScheduleEntry] {
        try await prepare()
        return try await store.read { db throws(StateError) in
            try db.query(
                "SELECT \(ScheduleStore.columns) FROM schedules WHERE next_run <= ? ORDER BY next_run, id",
                [.integer(now)]
            ).compactMap(ScheduleStore.entry)
        }
    }

    /// The earliest next run of any schedule.
    public func earliest() async throws -> Int64? {
        try await prepare()
        return try await store.read { db throws(StateError) in
            try db.queryOne("SELECT min(next_run) FROM schedules")?[0].integer
        }
    }

    /// Deletes schedule `id` (only when it belongs to `owner`, if given); `false` when there was none.
    @discardableResult
    public func remove(id: Int64, owner: String? = nil) async throws -> Bool {
        try await prepare()
        return try await store.write { db throws(StateError) in
            try db.execute(
                "DELETE FROM schedules WHERE id = ?1 AND (?2 IS NULL OR owner = ?2)", [.integer(id), .optional(owner)])
            return db.changes > 0
        }
    }

    /// Moves schedule `id` from occurrence `fired` to `next` (deleting it when `nil`). A no-op when another
    /// call already moved it.
    public func advance(id: Int64, fired: Int64, next: Int64?) async throws {
        try await store.write { db throws(StateError) in
            if let next {
                try db.execute(
                    "UPDATE schedules SET next_run = ? WHERE id = ? AND next_run = ?",
                    [.integer(next), .integer(id), .integer(fired)])
            } else {
                try db.execute("DELETE FROM schedules WHERE id = ? AND next_run = ?", [.integer(id), .integer(fired)])
            }
        }
    }

    static let columns = "id, agent, owner, channel, chat, kind, spec, action, text, zone, next_run, created_at, origin"

    static func entry(_ r: StateRow) -> ScheduleEntry? {
        guard let timing = ScheduleTiming(kind: r.text(5) ?? "", spec: r.text(6) ?? "") else { return nil }
        return ScheduleEntry(
            id: r.int(0), agent: r.text(1) ?? "", owner: r.text(2) ?? "", channel: r.text(3) ?? "",
            chat: r.text(4) ?? "", timing: timing, action: r.text(7) ?? "turn", text: r.text(8) ?? "",
            zone: r.text(9) ?? "", nextRun: r.int(10), createdAt: r.int(11), origin: r.text(12) ?? "")
    }
}
