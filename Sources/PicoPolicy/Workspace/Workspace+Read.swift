import CPicoPolicy
import Glibc

extension Workspace {
    /// Reads up to `length` bytes (default and maximum: `maxReadBytes`) of the regular file at `path`,
    /// starting at `offset`.
    /// - Throws: `WorkspaceError` (refusal, not found, directory, not a regular file, I/O).
    public func read(_ path: String, offset: Int = 0, length: Int? = nil) throws -> ReadResult {
        guard offset >= 0 else { throw WorkspaceError.invalidPath(path, reason: "offset must not be negative") }
        if let length, length < 0 { throw WorkspaceError.invalidPath(path, reason: "length must not be negative") }
        let t = try target(path)
        let fd = try openTarget(t, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY)
        defer { close(fd) }
        let size = try regularFileSize(fd, display: t.display)
        let start = min(offset, size)
        let count = min(min(length ?? maxReadBytes, maxReadBytes), size - start)
        let data = try readBytes(fd, at: start, count: count, display: t.display)
        return ReadResult(data: data, offset: start, fileSize: size, truncated: start + data.count < size)
    }

    /// Lists the directory at `path` (default: the workspace root), sorted by name.
    public func list(_ path: String = ".") throws -> [DirectoryEntry] {
        let t = try target(path, allowEmpty: true)
        let fd = try openTarget(t, flags: O_RDONLY | O_DIRECTORY)
        guard let dir = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw WorkspaceError.io(t.display, errno: code, operation: "read directory")
        }
        defer { closedir(dir) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var st = Glibc.stat()
            guard fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            entries.append(DirectoryEntry(name: name, kind: FileKind(mode: st.st_mode), size: Int(st.st_size)))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// Describes the file or directory at `path`.
    public func stat(_ path: String) throws -> FileStatus {
        let t = try target(path, allowEmpty: true)
        let fd = try openTarget(t, flags: PICO_O_PATH)
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw WorkspaceError.io(t.display, errno: errno, operation: "stat") }
        return FileStatus(
            path: try descriptorPath(fd, display: t.display), kind: FileKind(mode: st.st_mode),
            size: Int(st.st_size), permissions: UInt32(st.st_mode & 0o7777),
            linkCount: Int(st.st_nlink), modificationTime: Int(st.st_mtim.tv_sec))
    }

    /// Size of the open regular file `fd`; refuses directories and special files.
    func regularFileSize(_ fd: Int32, display: String) throws -> Int {
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw WorkspaceError.io(display, errno: errno, operation: "stat") }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return Int(st.st_size)
        case S_IFDIR: throw WorkspaceError.isDirectory(display)
        default: throw WorkspaceError.notRegularFile(display)
        }
    }

    /// `pread`s up to `count` bytes at `offset` (fewer at end of file).
    func readBytes(_ fd: Int32, at offset: Int, count: Int, display: String) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: Int32 = 0
        let data = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if failure != 0 { throw WorkspaceError.io(display, errno: failure, operation: "read") }
        return data
    }
}
