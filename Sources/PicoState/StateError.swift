import CSQLite
import Glibc
import PicoSystem

/// Why the state store could not do something. The text names the file and what to do, never a secret.
public struct StateError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file or directory concerned.
    public let path: String
    /// What was attempted (`open`, `write`, `migrate`, ...).
    public let operation: String
    /// The underlying reason (SQLite's message or `strerror`).
    public let reason: String
    /// `true` when the disk (or quota) is full: nothing new was recorded, everything recorded before is intact.
    public let isDiskFull: Bool

    /// Creates an error.
    public init(path: String, operation: String, reason: String, isDiskFull: Bool = false) {
        self.path = path
        self.operation = operation
        self.reason = reason
        self.isDiskFull = isDiskFull
    }

    /// From an errno value.
    static func errno(_ code: Int32, path: String, operation: String) -> StateError {
        StateError(
            path: path, operation: operation, reason: errnoText(code),
            isDiskFull: code == ENOSPC || code == EDQUOT || code == EFBIG)
    }

    public var description: String {
        if isDiskFull {
            return
                "state store: cannot \(operation) \(path): No space left on device. Free space on that file system; nothing already accepted was lost and the gateway retries"
        }
        return "state store: cannot \(operation) \(path): \(reason)"
    }
}

extension StateError {
    /// From a SQLite result code (the extended code tells disk-full and I/O errors apart).
    static func sqlite(_ code: Int32, db: OpaquePointer?, path: String, operation: String) -> StateError {
        let primary = code & 0xff
        var reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        let sysErrno = db.map { sqlite3_system_errno($0) } ?? 0
        let full = primary == SQLITE_FULL || sysErrno == ENOSPC || sysErrno == EDQUOT || sysErrno == EFBIG
        if primary == SQLITE_IOERR, sysErrno != 0 { reason += " (\(errnoText(sysErrno)))" }
        return StateError(path: path, operation: operation, reason: reason, isDiskFull: full)
    }
}
