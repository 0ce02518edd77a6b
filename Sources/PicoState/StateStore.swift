import CSQLite
import Glibc
import PicoSystem
import Synchronization

/// The gateway's crash-safe state: one SQLite database (`state.db`, WAL) in the state directory.
///
/// ## Public API
/// - ``open(directory:migrations:)`` opens (creating) `<directory>/state.db`; the directory is reached without
///   following any symlink (``StateDirectory``), is 0700 and must belong to this user. The store's own schema and
///   the given `migrations` are applied (versions per component in `schema_version`).
/// - Typed operations: the **inbox** (``accept(_:cursor:)``, ``openTurns()``), the **outbox**
///   (``completeTurn(inboxID:session:reply:)``, ``finishDelivery(outboxID:failure:)``), channel **cursors**
///   (``cursor(_:)``, ``setCursor(_:_:)``, ``cursors(prefix:updatedSince:)``) and **sessions**
///   (``sessionTail(_:limit:)``, ``appendSession(_:agent:messages:)``, ``sessions()``, ``clearSession(_:)`` ...).
/// - Generic access for later features: ``migrate(_:)`` adds a component's tables; ``read(_:)`` and
///   ``write(_:)`` run a closure with the ``StateDatabase`` (inside `BEGIN IMMEDIATE … COMMIT` for writes).
///
/// ## Durability
/// The connection runs with `journal_mode=WAL` and `synchronous=FULL`: every committed write — an accepted
/// message with its channel cursor, a turn's reply with its session history, a delivery mark — is on disk
/// (WAL `fsync`) before the call returns. A crash (kill -9, OOM, power loss) keeps every committed write
/// and none of an unfinished one. A full disk fails the write with ``StateError/isDiskFull`` and changes nothing.
///
/// ## Threading
/// All SQLite work runs on one dedicated thread owned by the store (never on Swift's cooperative pool), in
/// FIFO order; callers suspend meanwhile. The store is `Sendable` and may be used from any task.
public final class StateStore: Sendable {
    /// The database file.
    public let path: String
    /// The state directory.
    public let directory: String
    private let thread: StateThread
    /// Runs ``syncToDisk()``'s `fsync`s, so the store's thread keeps serving meanwhile (started on demand, ends
    /// when idle, like `thread`).
    private let syncThread = StateThread()
    private let database: StateDatabase  // touched only on `thread`
    private let closed = ClosedFlag()
    private let visits = Atomic<Int>(0)
    /// The newest rows of recently used sessions (see ``SessionTailCache``).
    let tails = SessionTailCache()
    /// The state directory, held open for the store's lifetime (reached without following symlinks).
    private let directoryFD: Int32

    /// Operations run on the store's thread so far (reads and transactions, each a hand-off to that thread and
    /// back): what a message costs in store visits (`/metrics`: `picoclaw_state_operations_total`).
    public var operationCount: Int { visits.load(ordering: .relaxed) }

    /// SQL statements run so far (`BEGIN` and `COMMIT` included; `/metrics`: `picoclaw_state_statements_total`).
    public var statementCount: Int { database.statementsRun.load(ordering: .relaxed) }

    /// Bytes SQLite holds on the heap now (page cache, schema, prepared statements), process-wide.
    public static var heapBytes: Int64 { sqlite3_memory_used() }

    /// The database file name inside the state directory.
    public static let fileName = "state.db"

    private init(path: String, directory: String, directoryFD: Int32, thread: StateThread, database: StateDatabase) {
        self.directoryFD = directoryFD
        self.path = path
        self.directory = directory
        self.thread = thread
        self.database = database
    }

    /// Opens (creating when missing) the store in `directory` and applies the schema.
    public static func open(directory: String, migrations: [StateMigration] = []) async throws(StateError) -> StateStore
    {
        let thread = StateThread()
        let opened: Result<StateDatabase, StateError> = await thread.run {
            do throws(StateError) { return .success(try openDatabase(directory)) } catch { return .failure(error) }
        }
        let database: StateDatabase
        do { database = try opened.get() } catch {
            thread.stop()
            throw error
        }
        let directoryFD: Int32
        do {
            directoryFD = try StateDirectory.open(directory, create: false)
        } catch {
            let db = database
            await thread.run { db.close() }
            thread.stop()
            throw error
        }
        let store = StateStore(
            path: database.path, directory: directory, directoryFD: directoryFD, thread: thread,
            database: database)
        do {
            try await store.migrate(CoreSchema.migrations + migrations)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Applies the steps of `migrations` whose version is above the component's recorded version.
    public func migrate(_ migrations: [StateMigration]) async throws(StateError) {
        tails.invalidate()
        let tails = self.tails
        try await onThread { db throws(StateError) in
            defer { tails.invalidate() }
            try db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version(component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            for step in migrations.sorted(by: { ($0.component, $0.version) < ($1.component, $1.version) }) {
                try db.transaction { db throws(StateError) in
                    let current =
                        try db.queryOne(
                            "SELECT version FROM schema_version WHERE component = ?", [.text(step.component)])?.int(0)
                        ?? 0
                    guard step.version > current else { return }
                    guard step.version == current + 1 else {
                        throw StateError(
                            path: db.path, operation: "migrate",
                            reason:
                                "component \(step.component) is at version \(current); step \(step.version) skips a version"
                        )
                    }
                    try db.execute(step.sql)
                    try db.execute(
                        "INSERT INTO schema_version(component, version) VALUES(?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                        [.text(step.component), .integer(Int64(step.version))])
                }
            }
        }
    }

    /// The recorded schema version of `component` (0 when never migrated).
    public func schemaVersion(_ component: String) async throws(StateError) -> Int {
        try await read { db throws(StateError) in
            Int(
                try db.queryOne("SELECT version FROM schema_version WHERE component = ?", [.text(component)])?.int(0)
                    ?? 0)
        }
    }

    /// Runs `body` with the connection (reads; no transaction unless `body` opens one).
    public func read<T: Sendable>(
        _ body: @escaping @Sendable (StateDatabase) throws(StateError) -> T
    ) async throws(StateError) -> T {
        try await onThread(body)
    }

    /// Runs `body` in one `BEGIN IMMEDIATE … COMMIT` transaction (durable on disk when it returns); rolls back on
    /// error.
    public func write<T: Sendable>(
        _ body: @escaping @Sendable (StateDatabase) throws(StateError) -> T
    ) async throws(StateError) -> T {
        try await commit(durable: true, changingSessions: true, body)
    }

    /// Like ``write(_:)``, but the commit does not wait for the disk: it survives a crash of the process (the
    /// kernel has it), and reaches the disk with the next ``write(_:)`` or ``syncToDisk()``. For records whose
    /// loss in a power failure is recovered elsewhere (the caller syncs before it confirms anything to the
    /// outside world).
    public func writeDeferred<T: Sendable>(
        _ body: @escaping @Sendable (StateDatabase) throws(StateError) -> T
    ) async throws(StateError) -> T {
        try await commit(durable: false, changingSessions: true, body)
    }

    /// One transaction on the store's thread. `changingSessions`: the closure may change the session tables in
    /// ways the session cache cannot follow, so the cache is cleared when the job is queued (no later look-up
    /// answers from it before the job ran) and again after it ran (what a read queued before it filled in).
    func commit<T: Sendable>(
        durable: Bool, changingSessions: Bool = false,
        _ body: @escaping @Sendable (StateDatabase) throws(StateError) -> T
    ) async throws(StateError) -> T {
        guard changingSessions else {
            return try await onThread { db throws(StateError) in try db.transaction(fullSync: durable, body) }
        }
        let tails = self.tails
        tails.invalidate()
        return try await onThread { db throws(StateError) in
            defer { tails.invalidate() }
            return try db.transaction(fullSync: durable, body)
        }
    }

    /// Makes every commit so far durable on disk: `fsync` of the WAL, on a thread of its own (not the store's),
    /// so the store's thread keeps serving (turns need not wait for the disk).
    public func syncToDisk() async throws(StateError) {
        let dirFD = directoryFD
        let path = self.path
        guard !closed.isClosed else {
            throw StateError(path: path, operation: "use", reason: "the state store is closed")
        }
        let result: StateError? = await syncThread.run {
            for name in [StateStore.fileName + "-wal", StateStore.fileName] {
                let fd = openat(dirFD, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                if fd < 0 {
                    if errno == ENOENT { continue }
                    return StateError.errno(errno, path: path, operation: "sync")
                }
                defer { Glibc.close(fd) }
                if fsync(fd) != 0 {
                    return StateError.errno(
                        errno, path: path + (name.hasSuffix("-wal") ? "-wal" : ""), operation: "sync")
                }
                if name.hasSuffix("-wal") { return nil }  // the WAL holds every commit not yet checkpointed
            }
            return nil
        }
        if let result { throw result }
    }

    /// WAL pages after which a commit checkpoints before it returns (`PRAGMA wal_autocheckpoint`); below it the
    /// WAL is copied into the database when the gateway goes idle (``releaseMemory()``), not in a message's commit.
    public static let walPagesBeforeInlineCheckpoint = 4000

    /// For when the gateway goes idle: copies the WAL's commits into the database file (a passive checkpoint, which
    /// would otherwise run inside a later message's commit) and frees the page cache pages no statement holds
    /// (`sqlite3_db_release_memory`; the next query reads them back from the kernel's page cache, no disk read).
    public func releaseMemory() async {
        guard !closed.isClosed else { return }
        let database = self.database
        let isClosed = closed
        tails.invalidate()
        await thread.run {
            guard !isClosed.isClosed else { return }
            sqlite3_wal_checkpoint_v2(database.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            sqlite3_db_release_memory(database.handle)
        }
    }

    /// Bytes of page cache this connection holds now (`SQLITE_DBSTATUS_CACHE_USED`).
    public func cacheBytes() async -> Int {
        let database = self.database
        let isClosed = closed
        return await thread.run {
            var current: Int32 = 0, highest: Int32 = 0
            guard !isClosed.isClosed,
                sqlite3_db_status(database.handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, 0) == SQLITE_OK
            else { return 0 }
            return Int(current)
        }
    }

    /// Checkpoints the WAL into the database file and closes the connection; later calls fail.
    public func close() async {
        guard closed.close() else { return }
        let database = self.database
        await thread.run {
            sqlite3_wal_checkpoint_v2(database.handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
            database.close()
        }
        thread.stop()
        syncThread.stop()
        Glibc.close(directoryFD)
    }

    func onThread<T: Sendable>(
        _ body: @escaping @Sendable (StateDatabase) throws(StateError) -> T
    ) async throws(StateError) -> T {
        let database = self.database
        let path = self.path
        let isClosed = closed
        visits.add(1, ordering: .relaxed)
        let result: Result<T, StateError> = await thread.run {
            if isClosed.isClosed {
                return .failure(StateError(path: path, operation: "use", reason: "the state store is closed"))
            }
            do throws(StateError) { return .success(try body(database)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Opens the database file beneath the verified directory (runs on the store thread).
    private static func openDatabase(_ directory: String) throws(StateError) -> StateDatabase {
        let dirFD = try StateDirectory.open(directory)
        defer { Glibc.close(dirFD) }
        let clean = "/" + directory.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        let path = (clean == "/" ? "" : clean) + "/" + fileName
        // The file must be a regular file (never a symlink) in the directory we hold.
        var st = stat()
        if fstatat(dirFD, fileName, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw StateError(
                path: path, operation: "open",
                reason: "not a regular file (a symlink or something else is in its place); move it away")
        }
        restrictFileModes(dirFD)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let error = StateError.sqlite(rc, db: handle, path: path, operation: "open")
            if let handle { sqlite3_close_v2(handle) }
            throw error
        }
        sqlite3_extended_result_codes(handle, 1)
        let db = StateDatabase(handle: handle, path: path)
        try configure(db)
        try verifyOpenedFile(db, in: dirFD)
        return db
    }

    /// Creates the database file 0600 and tightens -wal/-shm left by an earlier version, *before* SQLite opens
    /// them: closing any descriptor of a file drops every POSIX lock this process holds on it, and losing SQLite's
    /// lock on -shm lets another process (a CLI command next to the running gateway) re-initialise the shared
    /// memory under this one (SIGBUS). Files SQLite creates get the database file's mode.
    private static func restrictFileModes(_ dirFD: Int32) {
        let created = openat(dirFD, fileName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if created >= 0 { Glibc.close(created) }
        for suffix in ["", "-wal", "-shm"] {
            let fd = openat(dirFD, fileName + suffix, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                _ = fchmod(fd, 0o600)
                Glibc.close(fd)
            }
        }
    }

    /// WAL, full sync, foreign keys, a small page cache; touches the schema so the file exists. Closes `db` when
    /// a setting fails.
    private static func configure(_ db: StateDatabase) throws(StateError) {
        do {
            // Lookaside (SQLite's per-connection pool for small allocations, set before first use): 32 slots of
            // 256 bytes, 8 KiB, instead of the default 100 of 1,200 — 120 KiB resident for the gateway's life.
            _ = pico_sqlite_lookaside(db.handle, 256, 32)
            try db.execute("PRAGMA busy_timeout = 5000")
            _ = try db.query("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA synchronous = FULL")
            try db.execute("PRAGMA foreign_keys = ON")
            // A personal gateway's database is small: 512 KiB of page cache is plenty (SQLite's default is 2 MiB).
            try db.execute("PRAGMA cache_size = -512")
            // SQLite checkpoints inside the commit that takes the WAL past this many pages, and that commit (a
            // message's) waits for it. The gateway checkpoints when idle (``releaseMemory()``), so this is only the
            // bound under steady traffic: 4,000 pages (16 MiB of WAL) instead of 1,000.
            try db.execute("PRAGMA wal_autocheckpoint = \(StateStore.walPagesBeforeInlineCheckpoint)")
            // Touch the schema so the file exists, then check it is the file in the directory we verified.
            _ = try db.query("SELECT count(*) FROM sqlite_master")
            db.dataVersion = try db.queryOne("PRAGMA data_version")?.int(0)  // other writers are noticed from here
        } catch {
            db.close()
            throw error
        }
    }

    /// Checks that the file SQLite opened by path is the one in the directory we hold (no path component was
    /// replaced meanwhile) and makes it 0600. Closes `db` when it is not.
    private static func verifyOpenedFile(_ db: StateDatabase, in dirFD: Int32) throws(StateError) {
        let path = db.path
        let fileFD = openat(dirFD, fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fileFD >= 0 else {
            let code = errno
            db.close()
            throw .errno(code, path: path, operation: "open")
        }
        defer { Glibc.close(fileFD) }
        var viaFD = stat()
        var viaPath = stat()
        guard fstat(fileFD, &viaFD) == 0, stat(path, &viaPath) == 0,
            viaFD.st_dev == viaPath.st_dev, viaFD.st_ino == viaPath.st_ino
        else {
            db.close()
            throw StateError(
                path: path, operation: "open",
                reason: "the file changed while it was opened (a path component was replaced)")
        }
        if viaFD.st_mode & 0o077 != 0 { _ = fchmod(fileFD, 0o600) }
    }
}

/// Set once when the store closes.
final class ClosedFlag: Sendable {
    private let flag = Mutex(false)
    /// Closes; `true` for the first call.
    func close() -> Bool {
        flag.withLock { c in
            defer { c = true }; return !c
        }
    }
    var isClosed: Bool { flag.withLock { $0 } }
}

/// Seconds since the epoch.
func unixNow() -> Int64 { Int64(time(nil)) }
