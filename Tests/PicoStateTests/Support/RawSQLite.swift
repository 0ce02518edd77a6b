import CSQLite
import Glibc

/// A plain SQLite connection for tests: builds databases as an older version of the store left them and looks
/// at files the way a crashed process left them, without going through ``StateStore``.
final class RawSQLite {
    let handle: OpaquePointer

    /// Opens (creating) `path`; fails the test run loudly when SQLite cannot.
    init(_ path: String) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard rc == SQLITE_OK, let db else { fatalError("sqlite3_open_v2 \(path): \(rc)") }
        handle = db
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs SQL (several statements separated by `;`); throws SQLite's message.
    func exec(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { if let message { sqlite3_free(message) } }
        if rc != SQLITE_OK { throw RawSQLiteError(message: message.map { String(cString: $0) } ?? "code \(rc)") }
    }

    /// Every row of a query, each column as text (`nil` for NULL).
    func rows(_ sql: String) throws -> [[String?]] {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
            throw RawSQLiteError(message: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(stmt) }
        var out: [[String?]] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return out }
            guard rc == SQLITE_ROW else { throw RawSQLiteError(message: String(cString: sqlite3_errmsg(handle))) }
            out.append(
                (0..<sqlite3_column_count(stmt)).map { c in
                    sqlite3_column_text(stmt, c).map { String(cString: $0) }
                })
        }
    }

    /// The first column of the first row (`nil` when there is none or it is NULL).
    func value(_ sql: String) throws -> String? { try rows(sql).first?.first ?? nil }
}

struct RawSQLiteError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Copies a file byte for byte (a crash image of the state directory); `false` when `from` does not exist.
@discardableResult
func copyFile(_ from: String, _ to: String) -> Bool {
    let input = open(from, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { return false }
    defer { close(input) }
    let output = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(output >= 0, "cannot create \(to)")
    defer { close(output) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        precondition(n >= 0, "cannot read \(from)")
        if n == 0 { return true }
        let written = buffer.withUnsafeBytes { write(output, $0.baseAddress, n) }
        precondition(written == n, "cannot write \(to)")
    }
}
