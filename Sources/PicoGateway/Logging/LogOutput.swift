import Glibc
import PicoConfig
import PicoSystem
import Synchronization

/// Where log lines go: stderr always, plus an optional log file (mode 0640). Every line passes through the
/// secret redactor before it is written.
///
/// The log file is opened through a descriptor of its directory, walking the path one component at a time with
/// `O_NOFOLLOW`, so no symlink anywhere in the path is followed. Before each write the file's name is checked
/// against the open descriptor (`fstatat` on the directory vs `fstat`): when logrotate renamed the file away (with
/// or without `create`), the name is reopened and the line goes to the new file — no `postrotate` signal and
/// no `copytruncate` needed. SIGHUP (``reopen()``) still forces a reopen.
public final class LogOutput: Sendable {
    private struct State {
        var dirFD: Int32 = -1
        var fileFD: Int32 = -1
    }
    private let state = Mutex(State())
    private let redactor: SecretRedactor
    /// The log file path, if any.
    public let filePath: String?
    private let fileName: String
    private let writeToStderr: Bool

    /// Opens `filePath` (if given) for appending; throws a clear message when it cannot.
    public init(filePath: String?, redactor: SecretRedactor, writeToStderr: Bool = true) throws(LogFileError) {
        self.filePath = filePath
        self.redactor = redactor
        self.writeToStderr = writeToStderr
        fileName = filePath.map { String($0.split(separator: "/").last ?? "") } ?? ""
        if let filePath {
            let dirFD = try Self.openDirectory(of: filePath)
            do {
                let fd = try Self.openFile(fileName, in: dirFD, path: filePath)
                state.withLock { $0 = State(dirFD: dirFD, fileFD: fd) }
            } catch {
                close(dirFD)
                throw error
            }
        }
    }

    deinit {
        state.withLock { s in
            if s.fileFD >= 0 { close(s.fileFD) }
            if s.dirFD >= 0 { close(s.dirFD) }
        }
    }

    /// Writes one line (a newline is appended), redacted.
    public func write(_ line: String) {
        var text = redactor.redact(line)
        text.append("\n")
        text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            state.withLock { s in
                if writeToStderr { _ = FileDescriptorIO.writeAll(2, bytes) }
                guard s.fileFD >= 0 else { return }
                if rotatedAway(s), let fd = try? Self.openFile(fileName, in: s.dirFD, path: filePath ?? "") {
                    close(s.fileFD)
                    s.fileFD = fd
                }
                _ = FileDescriptorIO.writeAll(s.fileFD, bytes)
            }
        }
    }

    /// Closes and reopens the log file (SIGHUP). Keeps the old descriptor on failure.
    @discardableResult
    public func reopen() -> Bool {
        state.withLock { s in
            guard s.dirFD >= 0, let fd = try? Self.openFile(fileName, in: s.dirFD, path: filePath ?? "") else {
                return false
            }
            if s.fileFD >= 0 { close(s.fileFD) }
            s.fileFD = fd
            return true
        }
    }

    /// `true` when the name no longer refers to the open file (renamed or removed).
    private func rotatedAway(_ s: State) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(s.fileFD, &open) == 0 else { return true }
        guard fstatat(s.dirFD, fileName, &named, AT_SYMLINK_NOFOLLOW) == 0 else { return true }
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
