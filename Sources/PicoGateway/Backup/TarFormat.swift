import Glibc
import PicoPolicy
import PicoSystem

/// A minimal POSIX ustar writer and reader for backups: regular files and directories only (never links, devices
/// or anything else), names up to 255 bytes, sizes below 8 GiB.
struct TarWriter {
    private let fd: Int32
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Writes a directory entry.
    func directory(_ name: String) throws(BackupError) {
        try write(header(name.hasSuffix("/") ? name : name + "/", size: 0, mode: 0o700, type: UInt8(ascii: "5")))
    }

    /// Writes a file entry from bytes; returns its SHA-256.
    @discardableResult
    func file(_ name: String, bytes: [UInt8]) throws(BackupError) -> String {
        try write(header(name, size: bytes.count, mode: 0o600, type: UInt8(ascii: "0")))
        try write(bytes)
        try pad(bytes.count)
        return SHA256.hex(bytes)
    }

    /// Writes a file entry from an open descriptor of `size` bytes; returns its SHA-256.
    func file(_ name: String, from source: Int32, size: Int, sourcePath: String) throws(BackupError) -> String {
        try write(header(name, size: size, mode: 0o600, type: UInt8(ascii: "0")))
        var hash = SHA256()
        var buf = [UInt8](repeating: 0, count: 65536)
        var left = size
        while left > 0 {
            let n = buf.withUnsafeMutableBytes {
                FileDescriptorIO.read(source, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<min($0.count, left)]))
            }
            guard n > 0 else {
                throw BackupError(
                    "\(sourcePath) changed size while it was copied (\(n < 0 ? errnoText() : "shorter than \(size) bytes")); run the backup again"
                )
            }
            try write(Array(buf[0..<n]))
            hash.update(buf[0..<n])
            left -= n
        }
        try pad(size)
        return hash.hexDigest()
    }

    /// The two zero blocks that end an archive; then `fsync` (a pipe or socket has nothing to sync: EINVAL).
    func finish() throws(BackupError) {
        try write([UInt8](repeating: 0, count: 1024))
        guard fsync(fd) == 0 || errno == EINVAL else { throw BackupError.errno("sync", path) }
    }

    private func pad(_ size: Int) throws(BackupError) {
        let rest = size % 512
        if rest != 0 { try write([UInt8](repeating: 0, count: 512 - rest)) }
    }

    private func write(_ bytes: [UInt8]) throws(BackupError) {
        let code = FileDescriptorIO.writeAll(fd, bytes)
        guard code == 0 else { throw BackupError("cannot write \(path): \(errnoText(code))") }
    }

    private func header(_ name: String, size: Int, mode: Int, type: UInt8) throws(BackupError) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        let bytes = Array(name.utf8)
        var namePart = bytes, prefix: [UInt8] = []
        if bytes.count > 100 {
            guard
                let cut = bytes.indices.last(where: {
                    bytes[$0] == UInt8(ascii: "/") && $0 <= 155 && bytes.count - $0 - 1 <= 100
                })
            else {
                throw BackupError("the path \(name) is too long for the backup format (255 bytes); rename it")
            }
            prefix = Array(bytes[..<cut])
            namePart = Array(bytes[(cut + 1)...])
        }
        func put(_ field: [UInt8], at offset: Int) { for (i, b) in field.enumerated() { h[offset + i] = b } }
        func octal(_ v: Int, width: Int) -> [UInt8] {
            let s = String(v, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - s.count) + s).utf8) + [0]
        }
        put(namePart, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(Int(time(nil)), width: 12), at: 136)
        h[156] = type
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(prefix, at: 345)
        put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return h
    }
}

/// Reads the entries of an archive written by ``TarWriter``.
struct TarReader {
    /// One entry; `isDirectory` entries have no content.
    struct Entry {
        let name: String
        let size: Int
        let isDirectory: Bool
    }

    private let fd: Int32
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Calls `body` for every entry with a chunk sink for its content (`body` must consume by calling `read`).
    func forEach(
        _ body: (Entry, _ read: (([UInt8]) throws(BackupError) -> Void) throws(BackupError) -> Void) throws(BackupError)
            -> Void
    ) throws(BackupError) {
        while true {
            let header = try readExactly(512)
            if header.allSatisfy({ $0 == 0 }) { return }
            let stored = Int(parseOctal(header[148..<156]))
            var copy = header
            for i in 148..<156 { copy[i] = UInt8(ascii: " ") }
            guard copy.reduce(0, { $0 + Int($1) }) == stored else {
                throw BackupError("\(path) is not a picoclaw backup or is damaged (bad header checksum)")
            }
            let name = cString(header[0..<100]), prefix = cString(header[345..<500])
            let full = prefix.isEmpty ? name : prefix + "/" + name
            let type = header[156]
            guard type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "5") else {
                throw BackupError("\(path) contains \(full), which is not a regular file or directory; refusing it")
            }
            let size = Int(parseOctal(header[124..<136]))
            let entry = Entry(name: full, size: size, isDirectory: type == UInt8(ascii: "5"))
            var consumed = false
            try body(entry) { (sink: ([UInt8]) throws(BackupError) -> Void) throws(BackupError) in
                var left = size
                while left > 0 {
                    let chunk = try readExactly(min(65536, left))
                    try sink(chunk)
                    left -= chunk.count
                }
                consumed = true
            }
            if !consumed { try skip(size) }
            let rest = size % 512
            if rest != 0 { try skip(512 - rest) }
        }
    }

    private func skip(_ n: Int) throws(BackupError) {
        var left = n
        while left > 0 { left -= try readExactly(min(65536, left)).count }
    }

    private func readExactly(_ n: Int) throws(BackupError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out.withUnsafeMutableBytes {
                FileDescriptorIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[got..<n]))
            }
            if r < 0 { throw BackupError.errno("read", path) }
            if r == 0 { throw BackupError("\(path) ends early: the backup is truncated") }
            got += r
        }
        return out
    }

    private func parseOctal(_ field: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for b in field where b >= UInt8(ascii: "0") && b <= UInt8(ascii: "7") {
            v = v * 8 + UInt64(b - UInt8(ascii: "0"))
        }
        return v
    }

    private func cString(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// A backup failure with a message naming the file and what to do.
public struct BackupError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
    static func errno(_ operation: String, _ path: String) -> BackupError {
        BackupError("cannot \(operation) \(path): \(errnoText())")
    }
}
