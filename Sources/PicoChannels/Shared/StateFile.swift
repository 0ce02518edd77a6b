#if canImport(Glibc)
import Glibc
import PicoSystem
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
            throw Failure(description: "cannot read \(path): \(errnoText())")
        }
        defer { close(fd) }
        switch FileDescriptorIO.readToEnd(fd, limit: limit, chunkSize: 4096) {
        case .success(let bytes): return bytes
        case .failure(let error) where error.code == EFBIG:
            throw Failure(description: "\(path) is larger than \(limit) bytes")
        case .failure(let error): throw Failure(description: "cannot read \(path): \(error)")
        }
    }

    /// Replaces the file's content atomically, creating missing directories with mode 0700.
    static func write(_ path: String, _ bytes: [UInt8]) throws {
        let dir = Directories.parent(of: path)
        let code = Directories.create(dir, mode: 0o700)
        guard code == 0 else { throw Failure(description: "cannot create \(dir): \(errnoText(code))") }
        let temp = "\(path).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temp): \(errnoText())") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            let code = FileDescriptorIO.writeAll(fd, bytes)
            guard code == 0 else { throw Failure(description: "cannot write \(temp): \(errnoText(code))") }
            _ = fchmod(fd, 0o600)
            guard fsync(fd) == 0 else { throw Failure(description: "cannot sync \(temp): \(errnoText())") }
        }
        guard rename(temp, path) == 0 else { throw Failure(description: "cannot rename onto \(path): \(errnoText())") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

}
