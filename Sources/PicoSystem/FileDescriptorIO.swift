#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes on a file descriptor that retry `EINTR` and short transfers.
public enum FileDescriptorIO {
    /// `read(2)` retried on `EINTR`: the byte count, 0 at end of file, or -1 with `errno` set.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// Writes every byte of `bytes`; 0 on success, otherwise the errno of the failed `write(2)`.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            offset += n
        }
        return 0
    }

    /// Writes every byte of `bytes`; 0 on success, otherwise the errno of the failed `write(2)`.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Reads to end of file. Fails with the errno of a failed `read(2)`, or `EFBIG` once more than `limit`
    /// bytes arrived.
    public static func readToEnd(
        _ fd: Int32, limit: Int = .max, chunkSize: Int = 65536,
        reserve: Int = 0
    ) -> Result<[UInt8], SystemError> {
        var out: [UInt8] = []
        if reserve > 0 { out.reserveCapacity(reserve) }
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, into: $0) }
            if n < 0 { return .failure(SystemError(errno)) }
            if n == 0 { return .success(out) }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { return .failure(SystemError(EFBIG)) }
        }
    }
}

/// A failed system call's errno.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errno value.
    public var code: Int32
    /// Wraps `code`.
    public init(_ code: Int32) { self.code = code }
    /// The `strerror` text.
    public var description: String { errnoText(code) }
}
