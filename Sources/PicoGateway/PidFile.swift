import Glibc

/// Why the PID file could not be taken.
public enum PidFileError: Error, CustomStringConvertible {
    case alreadyRunning(pid: Int32, path: String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid, let path):
            return "another picoclaw gateway is already running (PID \(pid), PID file \(path)). Stop it first, or give this one its own --pid-file and gateway.port"
        case .cannotCreate(let path, let reason):
            return "cannot create PID file \(path): \(reason). Set gateway.pid_file / --pid-file to a writable location"
        }
    }
}

/// A PID file that keeps a second gateway from starting. Created with O_EXCL (mode 0644) after a
/// stale-PID check; removed on clean exit only if it still names this process.
public final class PidFile: Sendable {
    public let path: String
    private let pid: Int32

    /// Takes the PID file at `path`: a live gateway's file refuses, a stale one is replaced.
    public init(path: String) throws(PidFileError) {
        self.path = path
        self.pid = getpid()
        for _ in 0..<2 {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 {
                let text = Array("\(pid)\n".utf8)
                let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                fsync(fd)
                close(fd)
                guard written == text.count else {
                    unlink(path)
                    throw .cannotCreate(path: path, reason: "short write")
                }
                return
            }
            guard errno == EEXIST else { throw .cannotCreate(path: path, reason: errnoText()) }
            if let other = Self.readPid(path), other != pid, Self.isLivePicoclaw(other) {
                throw .alreadyRunning(pid: other, path: path)
            }
            // Stale (dead process, reused PID of another program, or garbage): replace it.
            if unlink(path) != 0 && errno != ENOENT { throw .cannotCreate(path: path, reason: errnoText()) }
        }
        throw .cannotCreate(path: path, reason: "another process keeps recreating it")
    }

    /// Removes the file if it still holds this process's PID.
    public func release() {
        if Self.readPid(path) == pid { unlink(path) }
    }

    static func readPid(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let text = String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(whitespace: true)
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

extension String {
    func trimmingCharacters(whitespace: Bool) -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
