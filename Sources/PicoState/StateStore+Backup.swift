import CSQLite
import Glibc

extension StateStore {
    /// Copies the whole database into a new file at `destination` with SQLite's online backup API: a consistent
    /// snapshot even while a gateway writes to the store. `destination` must not exist; it is created 0600.
    public func backup(to destination: String) async throws(StateError) {
        try await read { db throws(StateError) in
            let fd = Glibc.open(destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let code = errno
                throw .errno(code, path: destination, operation: "create the backup copy")
            }
            Glibc.close(fd)
            var target: OpaquePointer?
            let rc = sqlite3_open_v2(destination, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nil)
            guard rc == SQLITE_OK, let target else {
                let error = StateError.sqlite(rc, db: target, path: destination, operation: "open the backup copy")
                if let target { sqlite3_close_v2(target) }
                throw error
            }
            defer { sqlite3_close_v2(target) }
            guard let backup = sqlite3_backup_init(target, "main", db.handle, "main") else {
                throw StateError.sqlite(
                    sqlite3_errcode(target), db: target, path: destination, operation: "start the backup of")
            }
            var step: Int32
            repeat {
                step = sqlite3_backup_step(backup, 256)
                if step == SQLITE_BUSY || step == SQLITE_LOCKED { sqlite3_sleep(20) }
            } while step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED
            let finish = sqlite3_backup_finish(backup)
            guard step == SQLITE_DONE, finish == SQLITE_OK else {
                throw StateError.sqlite(
                    step == SQLITE_DONE ? finish : step, db: target, path: destination,
                    operation: "copy the state store into")
            }
            // A standalone file: no WAL left next to it.
            sqlite3_exec(target, "PRAGMA journal_mode = DELETE", nil, nil, nil)
        }
    }
}
