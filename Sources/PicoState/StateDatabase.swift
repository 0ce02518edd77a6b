import CSQLite
import Glibc
import Synchronization

/// The SQLite connection, handed to the closures of ``StateStore/read(_:)`` and ``StateStore/write(_:)``.
///
/// Only valid inside such a closure, which runs on the store's own thread; never keep a reference. Prepared
/// statements are cached per SQL text, so repeating the same statement costs no parsing.
///
/// `@unchecked Sendable`: the store only ever touches it on its own thread (jobs run one at a time), so the
/// reference may cross into those jobs without concurrent access.
public final class StateDatabase: @unchecked Sendable {
    let handle: OpaquePointer
    /// The database file (for error messages).
    public let path: String
    private var statements: [String: OpaquePointer] = [:]
    private var fullSync = true
    /// `PRAGMA data_version` at the last check (``StateStore/noticeOtherWriters(_:)``).
    var dataVersion: Int64?
    /// SQL statements run so far (``StateStore/statementCount``).
    let statementsRun = Atomic<Int>(0)
    /// The minute whose older `usage_minute` rows were last deleted (``StateStore/countMessage(_:channel:sender:at:)``).
    var prunedMinute: Int64?

    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    /// Finalises cached statements and closes the connection.
    func close() {
        for (_, stmt) in statements { sqlite3_finalize(stmt) }
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one statement (or, without bindings, several separated by `;`).
    public func execute(_ sql: String, _ bindings: [StateValue] = []) throws(StateError) {
        if bindings.isEmpty && sql.contains(";") {
            statementsRun.add(1, ordering: .relaxed)
            var message: UnsafeMutablePointer<CChar>?
            let rc = sqlite3_exec(handle, sql, nil, nil, &message)
            if let message { sqlite3_free(message) }
            guard rc == SQLITE_OK else { throw failure(rc, "write") }
            return
        }
        _ = try run(sql, bindings, collect: false)
    }

    /// Runs a query and returns every row.
    public func query(_ sql: String, _ bindings: [StateValue] = []) throws(StateError) -> [StateRow] {
        try run(sql, bindings, collect: true)
    }

    /// The first row of a query, if any.
    public func queryOne(_ sql: String, _ bindings: [StateValue] = []) throws(StateError) -> StateRow? {
        try query(sql, bindings).first
    }

    /// Rows changed by the last `INSERT`/`UPDATE`/`DELETE`.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last successful `INSERT`.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func failure(_ rc: Int32, _ operation: String) -> StateError {
        StateError.sqlite(
            sqlite3_extended_errcode(handle) != 0 ? sqlite3_extended_errcode(handle) : rc,
            db: handle, path: path, operation: operation)
    }

    private func statement(_ sql: String) throws(StateError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw failure(rc, "prepare a statement for") }
        statements[sql] = stmt
        return stmt
    }

    private func run(_ sql: String, _ bindings: [StateValue], collect: Bool) throws(StateError) -> [StateRow] {
        let stmt = try statement(sql)
        statementsRun.add(1, ordering: .relaxed)
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        for (i, value) in bindings.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .text(let s): rc = sqlite3_bind_text(stmt, index, s, -1, pico_sqlite_transient())
            case .blob(let b):
                rc = b.withUnsafeBytes {
                    sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), pico_sqlite_transient())
                }
            }
            guard rc == SQLITE_OK else { throw failure(rc, "bind a value for") }
        }
        var rows: [StateRow] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw failure(rc, collect ? "read" : "write") }
            guard collect else { continue }
            let count = sqlite3_column_count(stmt)
            var values: [StateValue] = []
            values.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, c)))
                case SQLITE_TEXT:
                    let n = Int(sqlite3_column_bytes(stmt, c))
                    if let p = sqlite3_column_text(stmt, c) {
                        values.append(.text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)))
                    } else {
                        values.append(.text(""))
                    }
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(stmt, c))
                    if let p = sqlite3_column_blob(stmt, c) {
                        values.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: n))))
                    } else {
                        values.append(.blob([]))
                    }
                case SQLITE_FLOAT: values.append(.integer(Int64(sqlite3_column_double(stmt, c))))
                default: values.append(.null)
                }
            }
            rows.append(StateRow(values: values))
        }
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back when it throws. With `fullSync` the commit
    /// fsyncs the WAL (`synchronous=FULL`); without, it is safe against a process crash and reaches the disk
    /// with the next full commit or ``StateStore/syncToDisk()``.
    func transaction<T>(
        fullSync wanted: Bool = true, _ body: (StateDatabase) throws(StateError) -> T
    ) throws(StateError) -> T {
        if wanted != fullSync {
            try execute(wanted ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            fullSync = wanted
        }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body(self)
            try execute("COMMIT")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 { sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
            throw error
        }
    }
}
