#if canImport(Glibc)
import Glibc
import PicoSystem
#endif

/// Small POSIX file helpers with errno-based error text (no Foundation).
enum POSIXFile {
    /// The result of `stat`/`lstat` that the loader needs.
    struct Status: Equatable {
        var mode: UInt32
        var owner: UInt32
        var isRegular: Bool
    }

    /// `stat` (follows symlinks). `nil` + errno text on failure.
    static func status(_ path: String) -> Result<Status, POSIXFileError> {
        var st = stat()
        guard stat(path, &st) == 0 else { return .failure(POSIXFileError(code: errno)) }
        return .success(
            Status(
                mode: UInt32(st.st_mode) & 0o7777, owner: UInt32(st.st_uid),
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

    /// Reads a regular file of at most `limit` bytes. The open never blocks (a FIFO, device or directory is
    /// refused after `fstat`, before any read), and a larger file fails with "file too large".
    static func read(_ path: String, limit: Int) -> Result<[UInt8], POSIXFileError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(POSIXFileError(code: errno)) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(POSIXFileError(code: errno)) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular(mode: UInt32(st.st_mode))) }
        if st.st_size > limit { return .failure(POSIXFileError(code: EFBIG)) }
        return FileDescriptorIO.readToEnd(fd, limit: limit, chunkSize: 16384).mapError { POSIXFileError(code: $0.code) }
    }

    /// The real user id of the process.
    static var currentUID: UInt32 { UInt32(getuid()) }
}

/// An errno captured from a failed POSIX call, or a file that is not a regular file.
struct POSIXFileError: Error {
    var code: Int32
    /// The file type (`st_mode`) when the file exists but is not a regular file.
    var fileMode: UInt32?

    init(code: Int32) { self.code = code }

    /// A FIFO, device, socket or directory where a regular file is needed.
    static func notRegular(mode: UInt32) -> POSIXFileError {
        var e = POSIXFileError(code: EINVAL)
        e.fileMode = mode
        return e
    }

    var text: String {
        if let fileMode { return "not a regular file (\(Self.typeName(fileMode))); point it at a regular file" }
        return code == EFBIG ? "file too large" : errnoText(code)
    }

    private static func typeName(_ mode: UInt32) -> String {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFIFO): "a FIFO"
        case UInt32(S_IFCHR): "a character device"
        case UInt32(S_IFBLK): "a block device"
        case UInt32(S_IFDIR): "a directory"
        case UInt32(S_IFSOCK): "a socket"
        default: "a special file"
        }
    }
}
