import Glibc
import PicoPolicy
import PicoSystem

/// Why the PID file could not be taken.
public enum PidFileError: Error, CustomStringConvertible {
    case alreadyRunning(pid: Int32, path: String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid, let path):
            return
                "another picoclaw gateway is already running (PID \(pid), PID file \(path)). Stop it first, or give this one its own --pid-file and gateway.port"
        case .cannotCreate(let path, let reason):
            return "cannot create PID file \(path): \(reason). Set gateway.pid_file / --pid-file to a writable location"
        }
    }
}

/// A PID file that keeps a second gateway from starting. Created with O_EXCL (mode 0644) after a
/// stale-PID check; removed on clean exit only if it still names this process.
///
/// Every operation goes through a descriptor of the parent directory, reached without following a symlink on
/// any component (missing directories are created 0700), and is relative to it: swapping a path component for
/// a symlink cannot redirect the write or the delete.
public final class PidFile: Sendable {
    public let path: String
    private let pid: Int32
    private let dirFD: Int32
    private let name: String

    /// Takes the PID file at `path`: a live gateway's file refuses, a stale one is replaced.
    public init(path given: String) throws(PidFileError) {
        let path = given.hasPrefix("/") ? given : Self.currentDirectory() + "/" + given
        self.path = path
        self.pid = getpid()
        do {
            (dirFD, name) = try NoSymlinkPath.openParent(of: path, create: true)
        } catch {
            throw .cannotCreate(path: path, reason: error.description)
        }
        for _ in 0..<2 {
            let fd = openat(dirFD, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 {
                let text = Array("\(pid)\n".utf8)
                let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                fsync(fd)
                close(fd)
                guard written == text.count else {
                    unlinkat(dirFD, name, 0)
                    throw .cannotCreate(path: path, reason: "short write")
                }
                return
            }
            guard errno == EEXIST else {
                let reason = errno == ELOOP ? "it is a symbolic link" : errnoText()
                close(dirFD)
                throw .cannotCreate(path: path, reason: reason)
            }
            if let other = Self.readPid(dirFD, name), other != pid, Self.isLivePicoclaw(other) {
                close(dirFD)
                throw .alreadyRunning(pid: other, path: path)
            }
            // Stale (dead process, reused PID of another program, or garbage): replace it.
            if unlinkat(dirFD, name, 0) != 0 && errno != ENOENT {
                let reason = errnoText()
                close(dirFD)
                throw .cannotCreate(path: path, reason: reason)
            }
        }
        close(dirFD)
        throw .cannotCreate(path: path, reason: "another process keeps recreating it")
    }

    deinit { close(dirFD) }

    private static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "" }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// Removes the file if it still holds this process's PID.
    public func release() {
        if Self.readPid(dirFD, name) == pid { unlinkat(dirFD, name, 0) }
    }

    /// The PID in `path` (no symlink followed on any component), if any.
    static func readPid(_ path: String) -> Int32? {
        guard let (dir, name) = try? NoSymlinkPath.openParent(of: path) else { return nil }
        defer { close(dir) }
        return readPid(dir, name)
    }

    static func readPid(_ dirFD: Int32, _ name: String) -> Int32? {
        let fd = openat(dirFD, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = String(decoding: buf[0..<n], as: UTF8.self).trimmedWhitespace
        guard let value = Int32(text), value > 0 else { return nil }
        return value
    }

    /// Alive and (where /proc tells) a picoclaw process.
    static func isLivePicoclaw(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        let fd = open("/proc/\(pid)/cmdline", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return true }
        return String(decoding: buf[0..<n], as: UTF8.self).contains("picoclaw")
    }
}
