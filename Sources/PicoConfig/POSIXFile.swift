#if canImport(Glibc)
import Glibc
#endif

/// Small POSIX file helpers with errno-based error text (no Foundation).
enum POSIXFile {
    /// The result of `stat`/`lstat` that the loader needs.
    struct Status: Equatable {
        var mode: UInt32
        var owner: UInt32
        var isRegular: Bool
    }

    /// The error text for an errno value, e.g. `Permission denied`.
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// `stat` (follows symlinks). `nil` + errno text on failure.
    static func status(_ path: String) -> Result<Status, POSIXFileError> {
        var st = stat()
        guard stat(path, &st) == 0 else { return .failure(POSIXFileError(code: errno)) }
        return .success(Status(mode: UInt32(st.st_mode) & 0o7777, owner: UInt32(st.st_uid),
                               isRegular: (st.st_mode & S_IFMT) == S_IFREG))
    }

    /// `true` when `path` exists (without following a final symlink).
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// `true` when `path` itself is a symbolic link.
    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// Reads at most `limit` bytes; fails with EFBIG when the file is larger.
    static func read(_ path: String, limit: Int) -> Result<[UInt8], POSIXFileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(POSIXFileError(code: errno)) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(POSIXFileError(code: errno))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { return .failure(POSIXFileError(code: EFBIG)) }
        }
        return .success(out)
    }

    /// The real user id of the process.
    static var currentUID: UInt32 { UInt32(getuid()) }
}

/// An errno captured from a failed POSIX call.
struct POSIXFileError: Error {
    var code: Int32
    var text: String { code == EFBIG ? "file too large" : POSIXFile.errorText(code) }
}
