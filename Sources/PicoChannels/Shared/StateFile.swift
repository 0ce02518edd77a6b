#if canImport(Glibc)
import Glibc
#endif

/// Reads and atomically writes a small state file (directory 0700, file 0600; temp file + fsync + rename +
/// directory fsync, so a crash leaves either the old or the new content).
///
/// These are blocking syscalls: async callers run them through `DedicatedThread`.
enum StateFile {
    struct Failure: Error, Sendable, CustomStringConvertible {
        let description: String
    }

    /// The file's bytes, or `nil` if it does not exist.
    static func read(_ path: String, limit: Int = 64 * 1024) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure(description: "cannot read \(path): \(errorText())")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot read \(path): \(errorText())")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw Failure(description: "\(path) is larger than \(limit) bytes") }
        }
    }

    /// Replaces the file's content atomically, creating missing directories with mode 0700.
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let dir = directory(of: path)
        try makeDirectories(dir)
        let temp = "\(path).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temp): \(errorText())") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(description: "cannot write \(temp): \(errorText())")
                }
                offset += n
            }
            _ = fchmod(fd, 0o600)
            guard fsync(fd) == 0 else { throw Failure(description: "cannot sync \(temp): \(errorText())") }
        }
        guard rename(temp, path) == 0 else { throw Failure(description: "cannot rename onto \(path): \(errorText())") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func makeDirectories(_ dir: String) throws {
        var st = stat()
        if stat(dir, &st) == 0 { return }
        let parent = directory(of: dir)
        if parent != dir { try makeDirectories(parent) }
        if mkdir(dir, 0o700) != 0, errno != EEXIST {
            throw Failure(description: "cannot create \(dir): \(errorText())")
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
