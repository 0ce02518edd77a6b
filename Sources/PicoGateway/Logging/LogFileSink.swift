import Glibc
import PicoSystem
import Synchronization

/// The log file (mode 0640) as a ``LogSink``: written only on its destination's writer thread, since a stuck disk
/// blocks a regular file's writes and no system call says so in advance.
///
/// The file is opened through a descriptor of its directory, walking the path one component at a time with
/// `O_NOFOLLOW`, so no symlink anywhere in the path is followed. Before each batch the file's name is checked
/// against the open descriptor (`fstatat` on the directory vs `fstat`): when logrotate renamed the file away (with
/// or without `create`), the name is reopened and the batch goes to the new file — no `postrotate` signal and no
/// `copytruncate` needed. ``requestReopen()`` (SIGHUP) forces a reopen before the next batch.
final class LogFileSink: LogSink {
    private struct Descriptors {
        var dir: Int32
        var file: Int32
    }
    /// Only the writer thread (and `deinit`) touch the descriptors; the lock makes that checkable.
    private let descriptors: Mutex<Descriptors>
    private let reopenRequested = Atomic<Bool>(false)
    private let path: String
    private let fileName: String

    /// Opens `path` for appending; throws a clear message when it cannot.
    init(path: String) throws(LogFileError) {
        self.path = path
        fileName = String(path.split(separator: "/").last ?? "")
        let dirFD = try Self.openDirectory(of: path)
        do {
            let fd = try Self.openFile(fileName, in: dirFD, path: path)
            descriptors = Mutex(Descriptors(dir: dirFD, file: fd))
        } catch {
            close(dirFD)
            throw error
        }
    }

    deinit {
        descriptors.withLock { d in
            close(d.file)
            close(d.dir)
        }
    }

    var writesWithoutBlocking: Bool { false }

    func writeWithoutBlocking(_ bytes: UnsafeRawBufferPointer) -> Int { 0 }

    /// Reopens the file by name before the next batch (SIGHUP). The old descriptor stays if that fails.
    func requestReopen() {
        reopenRequested.store(true, ordering: .releasing)
    }

    func writeBlocking(_ bytes: UnsafeRawBufferPointer) -> Bool {
        descriptors.withLock { d in
            let forced = reopenRequested.exchange(false, ordering: .acquiringAndReleasing)
            if forced || rotatedAway(d), let fd = try? Self.openFile(fileName, in: d.dir, path: path) {
                close(d.file)
                d.file = fd
            }
            return FileDescriptorIO.writeAll(d.file, bytes) == 0
        }
    }

    /// `true` when the name no longer refers to the open file (renamed or removed).
    private func rotatedAway(_ d: Descriptors) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(d.file, &open) == 0 else { return true }
        guard fstatat(d.dir, fileName, &named, AT_SYMLINK_NOFOLLOW) == 0 else { return true }
        return open.st_ino != named.st_ino || open.st_dev != named.st_dev
    }

    /// Opens the directory of `path` one component at a time, never following a symlink.
    private static func openDirectory(of path: String) throws(LogFileError) -> Int32 {
        var components = path.split(separator: "/").map(String.init)
        guard let last = components.popLast(), last != ".", last != ".." else {
            throw LogFileError(path: path, reason: "not a file name")
        }
        var fd = Glibc.open(path.hasPrefix("/") ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LogFileError(path: path, reason: errnoText()) }
        for component in components {
            let next = openat(fd, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let err = errno
            close(fd)
            guard next >= 0 else {
                let reason =
                    err == ENOTDIR || err == ELOOP
                    ? "\(component) is a symbolic link or not a directory (symlinks in the log path are not followed)"
                    : errnoText(err)
                throw LogFileError(path: path, reason: reason)
            }
            fd = next
        }
        return fd
    }

    private static func openFile(_ name: String, in dirFD: Int32, path: String) throws(LogFileError) -> Int32 {
        let fd = openat(
            dirFD, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o640)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link (not followed)" : errnoText()
            throw LogFileError(path: path, reason: reason)
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw LogFileError(path: path, reason: "not a regular file")
        }
        _ = fcntl(fd, F_SETFL, O_APPEND)  // blocking writes again
        return fd
    }
}

/// The log file could not be opened.
public struct LogFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String {
        "cannot open log file \(path): \(reason). Fix the directory permissions or unset gateway.log_file"
    }
}

/// `O_PATH` (Linux; glibc hides it behind `_GNU_SOURCE`): a descriptor for walking a path without read permission.
private let O_PATH: Int32 = 0o10000000
