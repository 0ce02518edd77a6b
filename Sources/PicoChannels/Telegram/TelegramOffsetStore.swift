import FoundationEssentials
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
import PicoSystem
#endif

/// Persists the next `getUpdates` offset so a restart neither loses nor repeats updates.
///
/// ## Why it is cheap
/// `save` runs after every handed-off update, so it must not cost a thread, an `fsync` and a `rename` each time.
/// The file is a fixed-size record of `recordSize` (64) bytes, padded JSON that old versions can read too:
///
///     {"offset":1235,"sum":"5c4a0b8e"}                              ⏎
///
/// - The first `save` of a process replaces the file atomically (`StateFile.write`: temp file + `fsync` +
///   `rename`, directory 0700, file 0600, on a `DedicatedThread` thread) and then keeps it open
///   (`O_WRONLY | O_NOFOLLOW`, checked to be a regular file with mode 0600).
/// - Every later `save` is one `pwrite` of the whole record at file offset 0, straight from the poll loop. It
///   lands in the page cache (no `fsync`), costs a few microseconds and does not wait for the disk.
/// - `fsync` runs at most once per `syncInterval` (on a `dup` of the descriptor, on a `DedicatedThread` thread, never
///   on the cooperative pool), and once more from `close()` on `stop()`.
///
/// ## Why a crash neither loses nor repeats messages
/// - Process crash (SIGKILL, trap) at any point: a `pwrite` that returned is in the kernel's page cache, which
///   outlives the process, so the next start reads exactly the last saved offset. A `pwrite` interrupted by the
///   kill does not tear: the record is 64 bytes at offset 0, inside one page, and Linux copies a write into a
///   page completely or not at all (fatal signals are only honoured between pages). So the file holds either the
///   previous or the new record. Before the first `pwrite` the file is replaced atomically (old or new content).
///   The ordering is unchanged: the offset is saved after the hand-off and before the next `getUpdates`.
/// - Power loss / kernel crash: at most the last `syncInterval` of progress may be lost (plus, after a burst,
///   writes since the last sync until the kernel's own writeback, ~30 s); the file then holds an older offset,
///   or — if the device tore or zeroed the block — a record whose checksum does not match. An older offset
///   repeats at most those updates; Telegram itself also drops updates confirmed by a later `getUpdates`.
/// - A corrupt, short or unreadable file is never trusted: `load` logs a warning and returns `nil`, so polling
///   starts without an offset and Telegram returns its unconfirmed updates (possible repeats, no loss). The next
///   `save` rewrites the file atomically.
///
/// A write failure is logged as an error (at most once per `retryInterval` while it persists); the channel keeps
/// running, and a restart may then repeat updates.
///
/// Calls to `save` come from one task (the poll loop) one after another; `close` is called after it ended.
final class TelegramOffsetStore: Sendable {
    let path: String?
    let logger: Logger
    let syncInterval: Duration
    let retryInterval: Duration

    static let recordSize = 64

    private struct State {
        var fd: Int32 = -1
        var lastWritten: Int64?
        var dirty = false
        var lastSync: ContinuousClock.Instant?
        var lastOpenFailure: ContinuousClock.Instant?
        var closed = false
    }
    private let state = Mutex(State())

    init(path: String?, logger: Logger, syncInterval: Duration = .seconds(1), retryInterval: Duration = .seconds(10)) {
        self.path = path
        self.logger = logger
        self.syncInterval = syncInterval
        self.retryInterval = retryInterval
    }

    deinit {
        let fd = state.withLock { $0.fd }
        if fd >= 0 { Glibc.close(fd) }
    }

    private struct Stored: Decodable {
        var offset: Int64
        var sum: String?
    }

    // MARK: - Record format

    /// FNV-1a (32 bit) of the offset's decimal digits, as 8 lowercase hex digits.
    static func checksum(_ offset: Int64) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in String(offset).utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The fixed-size record for `offset`: JSON padded with spaces, ending in a newline.
    static func record(_ offset: Int64) -> [UInt8] {
        var bytes = Array("{\"offset\":\(offset),\"sum\":\"\(checksum(offset))\"}".utf8)
        // At most 10 + 20 + 8 + 8 + 2 = 48 bytes, so the padding always fits.
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: recordSize - 1 - bytes.count))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Parses a stored file: a record with a matching checksum, or the legacy `{"offset":N}` (written atomically
    /// by earlier versions).
    static func parse(_ bytes: [UInt8]) throws -> Int64 {
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: Data(bytes))
        } catch {
            throw StateFile.Failure(
                description: "not a valid offset record (\(bytes.count) bytes; truncated or corrupt)")
        }
        if let sum = stored.sum, sum != checksum(stored.offset) {
            throw StateFile.Failure(description: "checksum mismatch for offset \(stored.offset) (corrupt)")
        }
        guard stored.offset >= 0 else { throw StateFile.Failure(description: "negative offset \(stored.offset)") }
        return stored.offset
    }

    // MARK: - Loading

    /// The stored offset, or `nil` (no file, persistence disabled, or unreadable/corrupt — logged; polling then
    /// starts without an offset, so Telegram resends what it has not seen confirmed: no loss).
    func load() async -> Int64? {
        guard let path else { return nil }
        let read: Result<[UInt8]?, StateFile.Failure> = await DedicatedThread.run {
            do { return .success(try StateFile.read(path)) } catch let e as StateFile.Failure {
                return .failure(e)
            } catch {
                return .failure(StateFile.Failure(description: "\(error)"))
            }
        }
        do {
            guard let bytes = try read.get() else { return nil }
            return try Self.parse(bytes)
        } catch {
            logger.warning(
                "telegram: ignoring unreadable offset file \(path): \(error); resuming from Telegram's own confirmed offset (already delivered messages may be repeated)"
            )
            return nil
        }
    }

    // MARK: - Saving

    /// Stores `offset`: one in-place `pwrite` (no thread, no `fsync`) once the file is open; see the type's
    /// documentation. Failures are logged (the channel keeps running; a restart may then repeat updates).
    func save(_ offset: Int64) async {
        guard let path else { return }
        let record = Self.record(offset)
        let now = ContinuousClock.now
        enum Step { case done, open, sync(Int32) }
        var failure: String?
        let step: Step = state.withLock { s in
            if s.closed || s.lastWritten == offset { return .done }
            if s.fd < 0 {
                if let failed = s.lastOpenFailure, now - failed < retryInterval { return .done }
                return .open
            }
            // A small write to an open file goes to the page cache: it does not wait for the disk.
            let n = record.withUnsafeBytes { pwrite(s.fd, $0.baseAddress, $0.count, 0) }
            if n != record.count {
                failure = n < 0 ? errnoText() : "short write (\(n) of \(record.count) bytes)"
                Glibc.close(s.fd)
                s.fd = -1  // the next save rewrites the file atomically
                s.lastWritten = nil
                return .done
            }
            s.lastWritten = offset
            s.dirty = true
            if let last = s.lastSync, now - last < syncInterval { return .done }
            let copy = dup(s.fd)
            guard copy >= 0 else { return .done }
            s.dirty = false
            s.lastSync = now
            return .sync(copy)
        }
        if let failure {
            logger.error("telegram: cannot persist the update offset to \(path): \(failure)")
        }
        switch step {
        case .done:
            return
        case .open:
            await openFile(path, record: record, offset: offset)
        case .sync(let fd):
            if let failure = await Self.sync(fd) {
                logger.error("telegram: cannot sync the update offset file \(path): \(failure)")
                state.withLock { s in
                    // Dirty pages may have been dropped: rewrite the file atomically next time.
                    if s.fd >= 0 { Glibc.close(s.fd) }
                    s.fd = -1
                    s.lastWritten = nil
                }
            }
        }
    }

    /// Writes `record` atomically (temp file, `fsync`, `rename`) and opens the result for in-place updates.
    private func openFile(_ path: String, record: [UInt8], offset: Int64) async {
        let opened: Result<Int32, StateFile.Failure> = await DedicatedThread.run {
            do {
                try StateFile.write(path, record)
                return .success(try Self.openForUpdates(path))
            } catch let e as StateFile.Failure {
                return .failure(e)
            } catch {
                return .failure(StateFile.Failure(description: "\(error)"))
            }
        }
        switch opened {
        case .success(let fd):
            let keep = state.withLock { s -> Bool in
                guard !s.closed, s.fd < 0 else { return false }
                s.fd = fd
                s.lastWritten = offset
                s.dirty = false
                s.lastSync = ContinuousClock.now
                s.lastOpenFailure = nil
                return true
            }
            if !keep { Glibc.close(fd) }
        case .failure(let error):
            state.withLock { $0.lastOpenFailure = ContinuousClock.now }
            logger.error(
                "telegram: cannot persist the update offset to \(path): \(error) (retrying in \(retryInterval))")
        }
    }

    /// Opens the existing state file for writing without following a symlink; it must be a regular file.
    private static func openForUpdates(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw StateFile.Failure(description: "cannot open \(path): \(errnoText())") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw StateFile.Failure(description: "\(path) is not a regular file")
        }
        if st.st_mode & 0o777 != 0o600 { _ = fchmod(fd, 0o600) }
        return fd
    }

    /// `fsync`s and closes `fd` (a `dup`) on a helper thread; returns the error text on failure.
    private static func sync(_ fd: Int32) async -> String? {
        await DedicatedThread.run {
            defer { Glibc.close(fd) }
            return fsync(fd) == 0 ? nil : errnoText()
        }
    }

    /// Flushes unsynced progress to disk (on a helper thread) and closes the file; later `save`s do nothing.
    func close() async {
        guard let path else { return }
        let (fd, dirty) = state.withLock { s -> (Int32, Bool) in
            defer { s.fd = -1; s.closed = true }
            return (s.fd, s.dirty)
        }
        guard fd >= 0 else { return }
        let failure: String? = await DedicatedThread.run {
            defer { Glibc.close(fd) }
            return !dirty || fsync(fd) == 0 ? nil : errnoText()
        }
        if let failure { logger.error("telegram: cannot sync the update offset file \(path): \(failure)") }
    }
}
