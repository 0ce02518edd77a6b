import Glibc

extension Workspace {
    /// Replaces (or creates) the file at `path` atomically: a temporary file in the same directory is
    /// written, fsynced and renamed over the target, then the directory is fsynced. New files get mode 0600,
    /// replaced files keep their permission bits (set-id bits dropped); missing parents are created 0700.
    /// - Throws: `WorkspaceError`, including `.hardLinked` for a restricted workspace.
    public func write(_ path: String, contents: some Collection<UInt8>) throws {
        let plan = try planWrite(path, create: true)
        guard let dir = plan.parentFD else { throw WorkspaceError.notFound(path) }
        defer { close(dir) }
        var st = Glibc.stat()
        let mode: mode_t = fstatat(dir, plan.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st.st_mode & 0o1777 : 0o600
        var tmpName = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            tmpName = ".pico-\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
            fd = openat(dir, tmpName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw WorkspaceError.io(path, errno: errno, operation: "create a temporary file for") }
        var ok = false
        defer { if !ok { unlinkat(dir, tmpName, 0) } }
        do {
            defer { close(fd) }
            try writeAll(fd, contents, display: path)
            guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
                throw WorkspaceError.io(path, errno: errno, operation: "write")
            }
        }
        guard renameat(dir, tmpName, dir, plan.name) == 0 else {
            throw WorkspaceError.io(path, errno: errno, operation: "replace")
        }
        ok = true
        fsync(dir)
    }

    /// Writes `contents` as UTF-8; see `write(_:contents:)` for bytes.
    public func write(_ path: String, contents: String) throws {
        try write(path, contents: Array(contents.utf8))
    }

    /// Appends to the file at `path`, creating it (mode 0600, parents 0700) when missing.
    public func append(_ path: String, contents: some Collection<UInt8>) throws {
        let plan = try planWrite(path, create: true)
        guard let dir = plan.parentFD else { throw WorkspaceError.notFound(path) }
        defer { close(dir) }
        let fd = openat(
            dir, plan.name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
            0o600)
        guard fd >= 0 else { throw WorkspaceError.fromErrno(errno, path: path, operation: "open") }
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { throw WorkspaceError.io(path, errno: errno, operation: "stat") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw WorkspaceError.notRegularFile(path) }
        if restrictToWorkspace && st.st_nlink > 1 { throw WorkspaceError.hardLinked(path) }
        try writeAll(fd, contents, display: path)
        fsync(fd)
    }

    /// Appends `contents` as UTF-8.
    public func append(_ path: String, contents: String) throws {
        try append(path, contents: Array(contents.utf8))
    }

    /// Replaces the single occurrence of `oldText` with `newText` in the UTF-8 file at `path`, atomically.
    /// - Throws: `.editNoMatch` when `oldText` does not occur, `.editMultipleMatches` when it occurs more than
    ///   once, `.tooLarge` above `Workspace.maxEditBytes`.
    public func edit(_ path: String, oldText: String, newText: String) throws {
        guard !oldText.isEmpty else { throw WorkspaceError.invalidPath(path, reason: "old_text is required") }
        let t = try target(path)
        let fd = try openTarget(t, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY)
        let bytes: [UInt8]
        do {
            defer { close(fd) }
            let size = try regularFileSize(fd, display: path)
            if size > Workspace.maxEditBytes {
                throw WorkspaceError.tooLarge(path, size: size, limit: Workspace.maxEditBytes)
            }
            bytes = try readBytes(fd, at: 0, count: size, display: path)
        }
        let needle = Array(oldText.utf8)
        let matches = occurrences(of: needle, in: bytes, limit: Int.max)
        guard let first = matches.first else { throw WorkspaceError.editNoMatch(path) }
        guard matches.count == 1 else { throw WorkspaceError.editMultipleMatches(path, count: matches.count) }
        var result = Array(bytes[..<first])
        result.append(contentsOf: newText.utf8)
        result.append(contentsOf: bytes[(first + needle.count)...])
        try write(path, contents: result)
    }

    /// Writes every byte of `contents` to `fd`.
    func writeAll(_ fd: Int32, _ contents: some Collection<UInt8>, display: String) throws {
        let bytes = Array(contents)
        var done = 0
        try bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WorkspaceError.io(display, errno: errno, operation: "write")
                }
                done += n
            }
        }
    }
}

/// Start offsets of the non-overlapping occurrences of `needle` in `haystack`.
func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int) -> [Int] {
    guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
    var found: [Int] = []
    var i = 0
    let last = haystack.count - needle.count
    while i <= last && found.count < limit {
        if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
            found.append(i)
            i += needle.count
        } else {
            i += 1
        }
    }
    return found
}
