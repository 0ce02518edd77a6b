import Glibc
import Synchronization

/// The file ``StateStore/syncToDisk()`` flushes: the WAL, opened beneath the state directory without following
/// symlinks on first use and kept open until the store closes, so each sync is one `fdatasync` — no open and
/// close per message. The WAL cannot be replaced under the store's open connection: SQLite deletes it only when
/// the last connection closes or leaves WAL mode.
///
/// `fdatasync`, not `fsync`: it writes the data and the metadata reading it back needs (the file's size); SQLite's
/// own WAL commits use it on Linux. Used only on the store's sync thread (the mutex is never contended).
final class WALSyncFile: Sendable {
    private struct Files {
        var wal: Int32 = -1
        /// The database file, only while there is no WAL (every commit is then in it). Kept open too: closing any
        /// descriptor of a file drops every POSIX lock this process holds on it, SQLite's on the database included.
        var database: Int32 = -1
        var closed = false
    }
    private let files = Mutex(Files())
    private let directoryFD: Int32
    private let path: String

    /// `directoryFD`: the state directory (held open by the store); `path`: the database file, for errors.
    init(directoryFD: Int32, path: String) {
        self.directoryFD = directoryFD
        self.path = path
    }

    /// Flushes every commit so far to disk; `nil` on success.
    func sync() -> StateError? {
        files.withLock { f -> StateError? in
            guard !f.closed else {
                return StateError(path: path, operation: "sync", reason: "the state store is closed")
            }
            if f.wal < 0 {
                f.wal = openat(directoryFD, StateStore.fileName + "-wal", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                if f.wal < 0 {
                    guard errno == ENOENT else {
                        return StateError.errno(errno, path: path + "-wal", operation: "sync")
                    }
                    if f.database < 0 {
                        f.database = openat(directoryFD, StateStore.fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                        guard f.database >= 0 else { return StateError.errno(errno, path: path, operation: "sync") }
                    }
                    return fdatasync(f.database) == 0 ? nil : StateError.errno(errno, path: path, operation: "sync")
                }
            }
            return fdatasync(f.wal) == 0 ? nil : StateError.errno(errno, path: path + "-wal", operation: "sync")
        }
    }

    /// Closes the files (after SQLite closed its connection, so no lock of its is dropped); later syncs fail.
    func close() {
        files.withLock { f in
            for fd in [f.wal, f.database] where fd >= 0 { Glibc.close(fd) }
            f = Files(closed: true)
        }
    }
}
